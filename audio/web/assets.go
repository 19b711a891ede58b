package web

import (
	"embed"
	"io/fs"
)

// pageFiles is the browser page: plain HTML, CSS and JavaScript, no build
// step and nothing fetched from elsewhere.
//
//go:embed page
var pageFiles embed.FS

// assets returns the page's files, served under /assets/.
func assets() fs.FS {
	sub, _ := fs.Sub(pageFiles, "page") // "page" is embedded above: cannot fail
	return sub
}

// indexHTML returns the page itself.
func indexHTML() []byte {
	b, _ := pageFiles.ReadFile("page/index.html") // embedded above: cannot fail
	return b
}
