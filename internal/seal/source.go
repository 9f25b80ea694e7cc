package seal

import "sync"

// Source provides the key ring to the services that seal records. A Ring is its own Source;
// Lazy loads the key file the first time a command needs it, so that commands which never
// touch sealed data (adding a user, say) do not need the key file at all.
type Source interface {
	Ring() (*Ring, error)
}

// Ring returns r itself, so that a loaded ring serves as a Source.
func (r *Ring) Ring() (*Ring, error) { return r, nil }

// Lazy is a Source that calls load on first use and keeps the ring; a failed load is tried
// again on the next use.
type Lazy struct {
	mu   sync.Mutex
	load func() (*Ring, error)
	ring *Ring
}

// NewLazy returns a Source that loads its ring with load when first asked.
func NewLazy(load func() (*Ring, error)) *Lazy { return &Lazy{load: load} }

// Ring loads the ring on first use.
func (l *Lazy) Ring() (*Ring, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ring != nil {
		return l.ring, nil
	}
	r, err := l.load()
	if err != nil {
		return nil, err
	}
	l.ring = r
	return r, nil
}
