// Package layout has no code of its own: its test holds the rooms of the
// repository and which rooms each may import (README's Development table),
// and fails the build's tests when an import crosses a wall. It lives
// here, beside no room, so that no room checks the others.
package layout
