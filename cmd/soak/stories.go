package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var vocabulary = strings.Fields(`council budget minister harbour railway election
	river flooding drought farmers wheat export tariff factory workers strike
	union hospital nurses vaccine research university students climate summit
	emissions solar turbine battery grid electricity prices inflation central
	bank interest rates housing rents mortgage court ruling appeal judge police
	investigation border migrants coastguard fishing quota ocean reef coral
	satellite launch rocket telescope software startup investors chip supply
	shortage shipping container port strike museum exhibition festival orchestra
	football league championship coach transfer stadium marathon cyclists
	parliament coalition opposition senator governor mayor transit buses tram
	bridge tunnel highway airport airline pilots tourism hotel wildfire
	evacuation heatwave storm hurricane earthquake volcano glacier forest
	wildlife conservation drinking water sanitation school teachers exams
	pension reform taxes revenue deficit trade agreement ceasefire talks
	diplomats embassy sanctions refinery pipeline copper lithium mining`)

func word(r *rand.Rand) string { return vocabulary[r.Intn(len(vocabulary))] }

func sentence(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = word(r)
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

type ndjsonStory struct {
	Title       string   `json:"title"`
	Body        string   `json:"body"`
	PublishedAt string   `json:"published_at"`
	URL         string   `json:"url"`
	Source      string   `json:"source,omitempty"`
	Section     string   `json:"section,omitempty"`
	Author      string   `json:"author,omitempty"`
	Tags        []string `json:"tags,omitempty"`
}

var sections = []string{"World", "Business", "Technology", "Science", "Sport", "Culture"}

// writeStory appends one NDJSON line.
func writeStory(w io.Writer, r *rand.Rand, u string, published time.Time) {
	var paras []string
	for p := 0; p < 3+r.Intn(3); p++ {
		var ss []string
		for s := 0; s < 2+r.Intn(3); s++ {
			ss = append(ss, sentence(r, 8+r.Intn(10)))
		}
		paras = append(paras, strings.Join(ss, " "))
	}
	title := sentence(r, 6+r.Intn(4))
	st := ndjsonStory{
		Title:       strings.TrimSuffix(title, "."),
		Body:        strings.Join(paras, "\n\n"),
		PublishedAt: published.UTC().Format(time.RFC3339),
		URL:         u,
		Source:      []string{"Soak Wire", "Loopback Press", "Test Herald"}[r.Intn(3)],
		Section:     sections[r.Intn(len(sections))],
		Author:      "Soak Reporter",
		Tags:        []string{word(r), word(r)},
	}
	b, _ := json.Marshal(st)
	w.Write(append(b, '\n'))
}

type report struct{ added, updated, duplicates, rejected int }

var reportRe = regexp.MustCompile(`added (\d+), updated (\d+), duplicates (\d+), rejected (\d+)`)

func parseReport(out string) (report, error) {
	m := reportRe.FindStringSubmatch(out)
	if m == nil {
		return report{}, fmt.Errorf("no import report in %q", firstLine(out))
	}
	n := func(s string) int { v, _ := strconv.Atoi(s); return v }
	return report{n(m[1]), n(m[2]), n(m[3]), n(m[4])}, nil
}
