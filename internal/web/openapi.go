package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
)

// openAPIFiles are the pieces of the OpenAPI document: core.json carries the document's
// header, security schemes and the foundation's paths; each module adds a file of its own with
// "paths" and "components": {"schemas": ...}. They are merged once, at start.
//
//go:embed openapi/*.json
var openAPIFiles embed.FS

// OpenAPIDocument returns the merged OpenAPI 3.1 document served at /api/v1/openapi.json.
func OpenAPIDocument() ([]byte, error) {
	base, err := readJSONObject("openapi/core.json")
	if err != nil {
		return nil, err
	}
	paths := base["paths"].(map[string]any)
	components := base["components"].(map[string]any)
	schemas := components["schemas"].(map[string]any)
	names, _ := fs.Glob(openAPIFiles, "openapi/*.json")
	sort.Strings(names)
	for _, name := range names {
		if name == "openapi/core.json" {
			continue
		}
		part, err := readJSONObject(name)
		if err != nil {
			return nil, err
		}
		for key := range part {
			if key != "paths" && key != "components" {
				return nil, fmt.Errorf("%s: only paths and components may be added, not %q", name, key)
			}
		}
		if p, ok := part["paths"].(map[string]any); ok {
			for k, v := range p {
				if _, dup := paths[k]; dup {
					return nil, fmt.Errorf("%s: path %s is defined twice", name, k)
				}
				paths[k] = v
			}
		}
		if c, ok := part["components"].(map[string]any); ok {
			for key := range c {
				if key != "schemas" {
					return nil, fmt.Errorf("%s: only components.schemas may be added, not %q", name, key)
				}
			}
			if sc, ok := c["schemas"].(map[string]any); ok {
				for k, v := range sc {
					if _, dup := schemas[k]; dup {
						return nil, fmt.Errorf("%s: schema %s is defined twice", name, k)
					}
					schemas[k] = v
				}
			}
		}
	}
	return json.MarshalIndent(base, "", " ")
}

func readJSONObject(name string) (map[string]any, error) {
	b, err := openAPIFiles.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}
