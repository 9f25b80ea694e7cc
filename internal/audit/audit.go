// Package audit is the tamper-evident audit chain. Every row carries the hash of the row
// before it, so altering, deleting or inserting a row by hand breaks the chain at that row.
// Rows are appended by the store inside the same transaction as the change they record, and
// carry the names of the fields touched, never their values.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Entry is what a service asks to record.
type Entry struct {
	Action         string   // for example "user.create", "login.failure", "person.identity.read"
	ObjectType     string   // "user", "agency", "session", ...
	ObjectID       string   // the object's id (never a name or other personal data)
	ObjectAgencyID int64    // the agency that owns the object, 0 if none
	Fields         []string // names of the fields touched or read, never values
}

// Record is a stored row of the chain.
type Record struct {
	Seq            int64
	At             time.Time
	ActorUserID    int64 // 0 for the system (command line, background jobs)
	ActorAgencyID  int64
	Action         string
	ObjectType     string
	ObjectID       string
	ObjectAgencyID int64
	Fields         []string
	PrevHash       string
	Hash           string
}

// GenesisHash is the previous hash of the first row.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ComputeHash returns the hash of r over every field but Hash itself, length-prefixing each
// value so that no two different rows share an encoding.
func ComputeHash(r Record) string {
	h := sha256.New()
	write := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	write("nanduti-audit-v1")
	write(strconv.FormatInt(r.Seq, 10))
	write(r.At.UTC().Format(time.RFC3339Nano))
	write(strconv.FormatInt(r.ActorUserID, 10))
	write(strconv.FormatInt(r.ActorAgencyID, 10))
	write(r.Action)
	write(r.ObjectType)
	write(r.ObjectID)
	write(strconv.FormatInt(r.ObjectAgencyID, 10))
	write(JoinFields(r.Fields))
	write(r.PrevHash)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal fills in Seq, PrevHash and Hash for a new row that follows prev (nil for the first row).
func Seal(r *Record, prev *Record) {
	if prev == nil {
		r.Seq = 1
		r.PrevHash = GenesisHash
	} else {
		r.Seq = prev.Seq + 1
		r.PrevHash = prev.Hash
	}
	r.At = r.At.UTC().Truncate(time.Microsecond)
	r.Hash = ComputeHash(*r)
}

// JoinFields is the stored form of a field list.
func JoinFields(fields []string) string { return strings.Join(fields, ",") }

// SplitFields parses the stored form of a field list.
func SplitFields(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// Break describes the first row at which the chain does not hold.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit chain broken at row %d: %s", b.Seq, b.Reason)
}

// Verifier checks rows one at a time, in sequence order, without holding the chain in memory.
type Verifier struct {
	prev  *Record
	count int64
}

// Next checks r against the rows before it and returns a *Break at the first problem.
func (v *Verifier) Next(r Record) error {
	wantSeq := int64(1)
	wantPrev := GenesisHash
	if v.prev != nil {
		wantSeq = v.prev.Seq + 1
		wantPrev = v.prev.Hash
	}
	switch {
	case r.Seq != wantSeq:
		if r.Seq > wantSeq {
			return &Break{Seq: r.Seq, Reason: fmt.Sprintf("rows %d to %d are missing", wantSeq, r.Seq-1)}
		}
		return &Break{Seq: r.Seq, Reason: "row out of sequence"}
	case r.PrevHash != wantPrev:
		return &Break{Seq: r.Seq, Reason: "previous-hash does not match the row before it (a row was removed or inserted)"}
	case ComputeHash(r) != r.Hash:
		return &Break{Seq: r.Seq, Reason: "contents do not match the row's hash (the row was altered)"}
	}
	rr := r
	v.prev = &rr
	v.count++
	return nil
}

// Count is the number of rows checked so far.
func (v *Verifier) Count() int64 { return v.count }

// Head is the hash of the last row checked, GenesisHash for an empty chain. Keeping a copy of
// the head elsewhere lets the whole chain be checked later, including its last rows.
func (v *Verifier) Head() string {
	if v.prev == nil {
		return GenesisHash
	}
	return v.prev.Hash
}
