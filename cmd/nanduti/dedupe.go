package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"nanduti/internal/core"
	"nanduti/internal/dedupe"
)

// runLinkageDedupe runs the dedupe job once: 'nanduti linkage dedupe [--threshold W]'.
func runLinkageDedupe(ctx context.Context, c *CLI, args []string) error {
	fs := c.newFlagSet("linkage dedupe", "linkage dedupe [--threshold W] [--data DIR | --db postgres://... --kek-file FILE] [--progress]")
	db := c.addDBFlags(fs, "nanduti-data")
	threshold := fs.Float64("threshold", dedupe.DefaultThreshold, "smallest match weight (sum of log2(m/u) over the fields) to propose a pair")
	progress := fs.Bool("progress", false, "draw progress bars even when standard error is not a terminal")
	if err := c.parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *threshold <= 0 {
		return usagef("--threshold must be a positive weight")
	}
	if _, err := db.kekPath(); err != nil {
		return err
	}
	a, err := openApp(ctx, db, appOptions{})
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.protect.ready(); err != nil {
		return err
	}
	show := c.showProgress(*progress)
	bars := map[string]interface {
		Set(int) error
		ChangeMax(int)
		Finish() error
	}{}
	descriptions := map[string]string{"open": "opening persons", "compare": "comparing pairs", "store": "storing candidates"}
	sum, err := a.dedupe.Run(ctx, core.SystemActor, dedupe.RunOptions{Threshold: *threshold, Progress: func(stage string, done, total int) {
		b, ok := bars[stage]
		if !ok {
			b = c.newBar(show, -1, descriptions[stage])
			bars[stage] = b
		}
		if total > 0 {
			b.ChangeMax(total)
		}
		b.Set(done)
	}})
	for _, b := range bars {
		b.Finish()
	}
	if err != nil {
		return c.explain(err)
	}
	printDedupeSummary(c, sum)
	return nil
}

func printDedupeSummary(c *CLI, s dedupe.Summary) {
	estimated := "prior m (too few pairs for EM)"
	if s.EM {
		estimated = "m estimated by EM, u from random pairs"
	}
	fmt.Fprintf(c.Stdout, "persons compared:     %d\n", s.Persons)
	fmt.Fprintf(c.Stdout, "pairs after blocking: %d\n", s.Compared)
	fmt.Fprintf(c.Stdout, "candidates found:     %d at weight %.1f or more (%s)\n", s.Found, s.Threshold, estimated)
	fmt.Fprintf(c.Stdout, "  new:                %d\n", s.New)
	fmt.Fprintf(c.Stdout, "  still open:         %d\n", s.Updated)
	fmt.Fprintf(c.Stdout, "  already decided:    %d\n", s.Skipped)
	fmt.Fprintf(c.Stdout, "withdrawn:            %d (no longer found)\n", s.Withdrawn)
	fmt.Fprintf(c.Stdout, "time:                 %v\n", s.Duration.Round(time.Millisecond))
	fmt.Fprintln(c.Stdout, "Review the candidates on the Possible duplicates page.")
}

// dedupeJob runs the dedupe job every interval in the background of 'nanduti serve'. It logs
// counts only. Stop cancels a run in progress and waits for it.
type dedupeJob struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
}

func startDedupeJob(ctx context.Context, svc *dedupe.Service, every time.Duration, logger *slog.Logger) *dedupeJob {
	ctx, cancel := context.WithCancel(ctx)
	j := &dedupeJob{cancel: cancel}
	if every <= 0 {
		return j
	}
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			sum, err := svc.Run(ctx, core.SystemActor, dedupe.RunOptions{})
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				logger.Error("dedupe job failed", "err", err)
			default:
				logger.Info("dedupe job", "persons", sum.Persons, "pairs", sum.Compared, "candidates", sum.Found,
					"new", sum.New, "withdrawn", sum.Withdrawn, "em", sum.EM, "duration", sum.Duration.String())
			}
		}
	}()
	return j
}

// Stop ends the job and waits for a run in progress to give up.
func (j *dedupeJob) Stop() {
	j.cancel()
	j.wg.Wait()
}
