// Package summary computes a story's key points: an extractive summary made
// of its most central sentences, chosen locally with TextRank.
package summary

import (
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"newsdesk/internal/news"
	"newsdesk/internal/terms"
)

// WordsPerMinute is the reading speed behind ReadingMinutes.
const WordsPerMinute = 230

// ReadingMinutes returns the minutes an average reader needs for text,
// at least one.
func ReadingMinutes(text string) int {
	n := news.FieldCount(text)
	return max(1, (n+WordsPerMinute-1)/WordsPerMinute)
}

// KeyPoints returns up to n sentences of text that best summarize it, in
// the order they appear. Paragraphs are separated by blank lines.
//
// Sentences are ranked with TextRank: each sentence is a node, edges weigh
// the content words two sentences share, normalized by their lengths, and
// the stationary score of a random walk on that graph (PageRank) measures
// how central a sentence is to the whole story.
//
// Only the first MaxRankedSentences are ranked: building the graph
// compares every pair, so its cost grows with the square of their number,
// and a story's key points are in its opening anyway.
func KeyPoints(text string, n int) []string { return KeyPointsBeyond(text, "", n) }

// KeyPointsBeyond is KeyPoints leaving out the sentences a reader has
// already read in seen (the summary and the first paragraph): a key point
// that repeats the lede almost word for word tells them nothing.
func KeyPointsBeyond(text, seen string, n int) []string {
	sents := sentences(text, MaxRankedSentences)
	// Each sentence as its sorted set of term ids: overlaps are merges.
	ids := make(map[string]int, len(text)/16)
	var scratch []int
	bag := func(s string) []int {
		scratch = scratch[:0]
		for t := range terms.All(s) {
			id, ok := ids[t]
			if !ok {
				id = len(ids)
				ids[t] = id
			}
			scratch = append(scratch, id)
		}
		slices.Sort(scratch)
		return slices.Clone(slices.Compact(scratch))
	}
	bags := make([][]int, len(sents))
	for i, s := range sents {
		bags[i] = bag(s)
	}
	var read [][]int
	readText := map[string]bool{}
	for _, s := range Sentences(seen) {
		// What was read is mostly the first paragraph, whose sentences
		// are the text's first, with their bags made already.
		if i := slices.Index(sents, s); i >= 0 {
			read = append(read, bags[i])
		} else {
			read = append(read, bag(s))
		}
		readText[s] = true
	}
	// A sentence was read when most of its content words were in one
	// sentence already read (or, without content words, the very text).
	repeated := func(i int) bool {
		if len(bags[i]) == 0 {
			return readText[sents[i]]
		}
		for _, r := range read {
			if float64(overlap(bags[i], r)) >= 0.7*float64(len(bags[i])) {
				return true
			}
		}
		return false
	}
	if len(sents) <= n {
		var out []string
		for i, s := range sents {
			if !repeated(i) {
				out = append(out, s)
			}
		}
		return out
	}
	score := pageRank(graph(bags), 0.85, 30)
	// A story's lead is written to summarize it; nudge it up a little.
	score[0] *= 1.2

	idx := make([]int, len(sents))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return score[idx[a]] > score[idx[b]] })
	idx = slices.DeleteFunc(idx, repeated)
	idx = idx[:min(n, len(idx))]
	sort.Ints(idx)
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = sents[k]
	}
	return out
}

// overlap counts the ids two sorted sets share.
func overlap(a, b []int) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// edge is a weighted edge of an undirected graph, to node to.
type edge struct {
	to     int
	weight float64
}

// graph returns TextRank's graph of the sentences whose sorted sets of
// term ids are bags: an edge between two sentences of two words or more
// that share one, weighted by the words they share over the sum of their
// lengths' logarithms, each sentence's edges in the order of the others.
// The words two sentences share are counted from each word's list of
// sentences, so the pairs that share none, most of them, cost nothing;
// comparing every pair's sets made key points a fifth of the CPU of an
// import of long stories (docs/PERFORMANCE.md).
func graph(bags [][]int) [][]edge {
	n := len(bags)
	logLen := make([]float64, n)
	words := 0
	for i, b := range bags {
		logLen[i] = math.Log(float64(len(b)))
		if len(b) > 0 {
			words = max(words, b[len(b)-1]+1)
		}
	}
	// held[start[w]:start[w+1]] lists the sentences with word w in
	// order. next[w] is where in it the next sentence goes while the
	// lists are filled, then where the sentence being linked comes.
	start := make([]int, words+1)
	for _, b := range bags {
		if len(b) >= 2 {
			for _, w := range b {
				start[w+1]++
			}
		}
	}
	for w := range words {
		start[w+1] += start[w]
	}
	held := make([]int, start[words])
	next := slices.Clone(start[:words])
	for i, b := range bags {
		if len(b) >= 2 {
			for _, w := range b {
				held[next[w]] = i
				next[w]++
			}
		}
	}
	copy(next, start)
	shared := make([]int, n)
	edges := make([][]edge, n)
	for i, b := range bags {
		if len(b) < 2 {
			continue
		}
		for _, w := range b {
			for _, j := range held[next[w]+1 : start[w+1]] {
				shared[j]++
			}
			next[w]++
		}
		for j := i + 1; j < n; j++ {
			if shared[j] == 0 {
				continue
			}
			sim := float64(shared[j]) / (logLen[i] + logLen[j])
			edges[i] = append(edges[i], edge{j, sim})
			edges[j] = append(edges[j], edge{i, sim})
			shared[j] = 0
		}
	}
	return edges
}

// pageRank returns the weighted PageRank, after iters rounds, of the
// undirected graph whose node i has the edges edges[i].
func pageRank(edges [][]edge, d float64, iters int) []float64 {
	n := len(edges)
	sum := make([]float64, n)
	start := make([]int, n+1)
	for i, es := range edges {
		for _, e := range es {
			sum[i] += e.weight
		}
		start[i+1] = start[i] + len(es)
	}
	// The edges in one run, each weight divided by its far end's total
	// once rather than in every round: the same quotients.
	to := make([]int, start[n])
	share := make([]float64, start[n])
	for i, es := range edges {
		for k, e := range es {
			to[start[i]+k] = e.to
			share[start[i]+k] = e.weight / sum[e.to]
		}
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	for range iters {
		for i := range n {
			r := 0.0
			for k := start[i]; k < start[i+1]; k++ {
				r += share[k] * out[to[k]]
			}
			next[i] = (1-d)/float64(n) + d*r
		}
		out, next = next, out
	}
	return out
}

// MaxRankedSentences bounds the sentences KeyPoints ranks.
const MaxRankedSentences = 200

// Sentences splits text into sentences, keeping only those long enough to
// stand alone as a key point (6 to 60 words).
func Sentences(text string) []string { return sentences(text, -1) }

// sentences is Sentences stopping after limit sentences (-1: no limit).
func sentences(text string, limit int) []string {
	var out []string
	for text != "" && len(out) != limit {
		var para string
		para, text, _ = strings.Cut(text, "\n\n")
		para = news.OneSpaced(para)
		start := 0
		for i := 0; i < len(para); i++ {
			if c := para[i]; (c == '.' || c == '!' || c == '?') && endsSentence(para, i) {
				out = appendSentence(out, para[start:i+1])
				start = i + 1
				if len(out) == limit {
					return out
				}
			}
		}
		out = appendSentence(out, para[start:])
	}
	return out
}

// appendSentence appends s, cut from a one-spaced paragraph, when it is
// long enough to stand alone. Its words are its spaces and one.
func appendSentence(out []string, s string) []string {
	s = strings.TrimSpace(s)
	if n := strings.Count(s, " ") + 1; s != "" && n >= 6 && n <= 60 {
		return append(out, s)
	}
	return out
}

// endsSentence reports whether the stop at para[i] ends a sentence: it is
// followed by a space (after any closing quotes) and then a capital letter
// or opening quote, and the word before it is not a known abbreviation.
func endsSentence(para string, i int) bool {
	j := i + 1
	for j < len(para) && (para[j] == '"' || para[j] == '\'' || para[j] == ')') {
		j++
	}
	if strings.HasPrefix(para[j:], "”") || strings.HasPrefix(para[j:], "’") {
		j += len("”")
	}
	if j >= len(para) || para[j] != ' ' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(para[j+1:])
	if !unicode.IsUpper(r) && !unicode.IsDigit(r) && r != '"' && r != '“' && r != '‘' {
		return false
	}
	word := para[strings.LastIndexByte(para[:i], ' ')+1 : i]
	return para[i] != '.' || !abbrev[strings.ToLower(word)]
}

var abbrev = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "gen": true,
	"sen": true, "rep": true, "gov": true, "lt": true, "col": true, "sgt": true, "jr": true,
	"sr": true, "inc": true, "co": true, "corp": true, "ltd": true, "u.s": true, "u.k": true,
	"e.g": true, "i.e": true, "vs": true, "no": true, "jan": true, "feb": true, "aug": true,
	"sept": true, "oct": true, "nov": true, "dec": true,
}
