// Package web holds the browser app. Its TypeScript source and Vite build
// live in this folder; the build (dist: index.html and hashed files under
// assets/) is committed and embedded here, so the binary serves the app
// from a fresh clone with no Node.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// The API reference (apidocs/): Swagger UI's prebuilt files and our page,
// built by apidocs/build.mjs and committed like the app.
//
//go:embed all:apidocs/dist
var apiDocs embed.FS

// Dist is the built app, index.html at its root.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("web: the embedded build has no dist folder: " + err.Error()) // impossible: go:embed names it
	}
	return sub
}

// APIDocs is the interactive API reference (Swagger UI over
// /v1/openapi.json), index.html at its root, served at /v1/docs.
func APIDocs() fs.FS {
	sub, err := fs.Sub(apiDocs, "apidocs/dist")
	if err != nil {
		panic("web: the embedded API reference has no dist folder: " + err.Error()) // impossible: go:embed names it
	}
	return sub
}
