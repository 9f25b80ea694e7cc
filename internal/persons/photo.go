package persons

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
)

// MaxPhotoBytes bounds a photo: a phone picture scaled for identification fits easily, and a
// sealed photo is read whole into memory.
const MaxPhotoBytes = 2 << 20

// maxPhotoSide bounds each side in pixels, so that a small file cannot claim an image that
// would take gigabytes to decode in a viewer.
const maxPhotoSide = 8000

// Errors of CheckPhoto, each a catalogue key.
var (
	errPhotoTooLarge = errors.New("person.photo_too_large")
	errPhotoType     = errors.New("person.photo_type")
)

// CheckPhoto accepts a JPEG or PNG image of at most MaxPhotoBytes and maxPhotoSide pixels a
// side and returns its content type. Only the header is decoded: the image is stored as sent.
func CheckPhoto(b []byte) (string, error) {
	if len(b) > MaxPhotoBytes {
		return "", errPhotoTooLarge
	}
	var contentType string
	var decode func(r *bytes.Reader) (image.Config, error)
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		contentType = "image/jpeg"
		decode = func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		contentType = "image/png"
		decode = func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
	default:
		return "", errPhotoType
	}
	cfg, err := decode(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPhotoSide || cfg.Height > maxPhotoSide {
		return "", errPhotoType
	}
	return contentType, nil
}

// PhotoContentType returns the content type of a stored photo, "" when it is neither JPEG nor
// PNG.
func PhotoContentType(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	}
	return ""
}
