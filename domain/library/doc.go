// Package library is a workspace's own templates: retro templates (columns
// with prompts, steps, a suggested health pack), health questions and packs,
// and icebreakers, made by the workspace's admins beside the built-in
// catalogue and used like its entries.
//
// A library is one stream per workspace (library-<workspace ID>), apart from
// the workspace's own stream, so a workspace check on every request does not
// fold every template. Each save is an event carrying the whole template and
// its version, so a retro created from version 3 can always be told from one
// created from version 4, and an edit never changes a retro already made
// (retros copy what they use when created). Archiving hides a template from
// new uses; the log keeps it.
//
// Who may change a library is decided by the workspace (its admins): the
// application passes that fact in, as surveys do for multi-team sends.
package library
