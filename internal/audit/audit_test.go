package audit

import (
	"errors"
	"testing"
	"time"
)

func chain(n int) []Record {
	var rows []Record
	var prev *Record
	at := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.UTC)
	for i := 0; i < n; i++ {
		r := Record{At: at.Add(time.Duration(i) * time.Second), ActorUserID: int64(i % 3), ActorAgencyID: 2,
			Action: "user.update", ObjectType: "user", ObjectID: "7", ObjectAgencyID: 2, Fields: []string{"roles"}}
		Seal(&r, prev)
		rows = append(rows, r)
		prev = &rows[len(rows)-1]
	}
	return rows
}

func verify(rows []Record) error {
	var v Verifier
	for _, r := range rows {
		if err := v.Next(r); err != nil {
			return err
		}
	}
	return nil
}

func TestIntactChainVerifies(t *testing.T) {
	rows := chain(10)
	if err := verify(rows); err != nil {
		t.Fatal(err)
	}
	if rows[0].At.Nanosecond()%1000 != 0 {
		t.Error("Seal should truncate time to microseconds")
	}
}

func TestTamperingIsDetected(t *testing.T) {
	cases := map[string]struct {
		edit    func([]Record) []Record
		wantSeq int64
	}{
		"altered action": {func(r []Record) []Record { r[4].Action = "user.read"; return r }, 5},
		"altered actor":  {func(r []Record) []Record { r[2].ActorUserID = 99; return r }, 3},
		"altered fields": {func(r []Record) []Record { r[6].Fields = nil; return r }, 7},
		"altered time":   {func(r []Record) []Record { r[0].At = r[0].At.Add(time.Second); return r }, 1},
		"deleted row":    {func(r []Record) []Record { return append(r[:3:3], r[4:]...) }, 5},
		"deleted first":  {func(r []Record) []Record { return r[1:] }, 2},
		"rehashed alteration": {func(r []Record) []Record {
			r[5].ObjectID = "8"
			r[5].Hash = ComputeHash(r[5])
			return r
		}, 7},
		"inserted row": {func(r []Record) []Record {
			fake := r[3]
			fake.Action = "login.success"
			fake.Hash = ComputeHash(fake)
			out := append([]Record{}, r[:4]...)
			return append(append(out, fake), r[4:]...)
		}, 4},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			err := verify(c.edit(chain(10)))
			var b *Break
			if !errors.As(err, &b) {
				t.Fatalf("tampering not detected: %v", err)
			}
			if b.Seq != c.wantSeq {
				t.Errorf("break reported at row %d, want %d (%s)", b.Seq, c.wantSeq, b.Reason)
			}
		})
	}
}

func TestHashSeparatesFields(t *testing.T) {
	a := Record{Seq: 1, Action: "ab", ObjectType: "c"}
	b := Record{Seq: 1, Action: "a", ObjectType: "bc"}
	if ComputeHash(a) == ComputeHash(b) {
		t.Error("field boundaries must be part of the hash")
	}
}
