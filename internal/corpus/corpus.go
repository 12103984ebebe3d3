// Package corpus generates a deterministic synthetic news corpus for
// benchmarks: the same n, seed and end time always give the same stories.
//
// Stories fall into a few hundred topics. Each topic has its own
// distinctive words, drawn from a generated word list (so topics overlap a
// little, as real ones do), its people, place, city, section and tags; its
// stories mix those words into common English drawn with a Zipf-like law,
// so the related-story index meets both long and short posting lists.
// About 3% of stories are copies of a recent story carried by a different
// source with a few words changed.
package corpus

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"newsdesk/internal/news"
)

// Shape of the corpus.
const (
	numTopics  = 500
	topicWords = 60    // distinctive words per topic
	wordList   = 12000 // generated words topics draw theirs from
	poolSize   = 3000  // shared pool: the English list, then generated words
	topicTags  = 6
	// Span is the time the corpus covers, ending at its end time.
	Span = 365 * 24 * time.Hour
	// CopyRate is the share of stories that copy an earlier one.
	CopyRate   = 0.03
	copyWindow = 40 // a copy follows its original within this many stories
)

// Record is one story as an NDJSON line (SPEC §2).
type Record struct {
	Title       string   `json:"title"`
	Summary     string   `json:"summary"`
	Body        string   `json:"body"`
	PublishedAt string   `json:"published_at"`
	Source      string   `json:"source"`
	URL         string   `json:"url"`
	Author      string   `json:"author"`
	Dateline    string   `json:"dateline"`
	Section     string   `json:"section"`
	Tags        []string `json:"tags"`
}

// Generate returns n stories as the NDJSON importer would read them from
// WriteNDJSON's output, oldest first.
func Generate(n int, seed int64, now time.Time) []*news.Story {
	g := newGenerator(n, seed, now)
	out := make([]*news.Story, n)
	for i := range out {
		rec, _ := g.story(i)
		out[i] = rec.Story()
	}
	return out
}

// WriteNDJSON writes n stories to w, one JSON object a line, oldest first.
func WriteNDJSON(w io.Writer, n int, seed int64, now time.Time) error {
	g := newGenerator(n, seed, now)
	return writeNDJSON(w, n, func(i int) Record {
		rec, _ := g.story(i)
		return rec
	})
}

// writeNDJSON writes record(i) for each i below n to w, one JSON object
// a line.
func writeNDJSON(w io.Writer, n int, record func(i int) Record) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range n {
		if err := enc.Encode(record(i)); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Story returns r as a story, the way the NDJSON importer reads it.
func (r Record) Story() *news.Story {
	pub, _ := time.Parse(time.RFC3339, r.PublishedAt)
	return &news.Story{
		Title:       r.Title,
		Summary:     r.Summary,
		Body:        r.Body,
		Source:      news.Source{Name: r.Source},
		Section:     news.Section{Name: r.Section},
		Tags:        news.NewTags(r.Tags),
		URL:         r.URL,
		Author:      r.Author,
		Dateline:    r.Dateline,
		Status:      news.StatusPublished,
		PublishedAt: pub.UTC(),
	}
}

type topic struct {
	words   []string // most characteristic first
	cdf     []float64
	people  []string
	place   string
	city    string
	section int
	tags    []string
}

type generator struct {
	n    int
	seed int64
	now  time.Time

	words      []string // the generated word list
	pool       []string
	poolCDF    []float64
	topics     []topic
	topicCDF   []float64
	sectionCDF []float64
	sourceCDF  []float64
	generalCDF []float64
}

func newGenerator(n int, seed int64, now time.Time) *generator {
	g := &generator{n: n, seed: seed, now: now.UTC().Truncate(time.Second)}
	r := newRNG(seed, 0)
	seen := map[string]bool{}
	for _, w := range strings.Fields(english) {
		if !seen[w] {
			seen[w] = true
			g.pool = append(g.pool, w)
		}
	}
	for len(g.pool) < poolSize {
		g.pool = append(g.pool, pseudoWord(r, seen))
	}
	for range wordList {
		g.words = append(g.words, pseudoWord(r, seen))
	}
	g.poolCDF = zipfCDF(len(g.pool), 1.0, 1)
	g.topicCDF = zipfCDF(numTopics, 0.6, 1)
	g.sectionCDF = zipfCDF(len(sections), 0.5, 1)
	g.sourceCDF = zipfCDF(len(sources), 0.8, 1)
	g.generalCDF = zipfCDF(len(generalTags), 1.0, 1)
	wordCDF := zipfCDF(topicWords, 0.9, 2)
	for range numTopics {
		t := topic{cdf: wordCDF, section: r.pick(g.sectionCDF), city: cities[r.intn(len(cities))]}
		mine := map[int]bool{}
		for len(t.words) < topicWords {
			k := r.intn(len(g.words))
			if !mine[k] {
				mine[k] = true
				t.words = append(t.words, g.words[k])
			}
		}
		t.place = title(pseudoWord(r, seen))
		for range 4 {
			t.people = append(t.people, firstNames[r.intn(len(firstNames))]+" "+title(pseudoWord(r, seen)))
		}
		t.tags = []string{
			t.place, t.people[0], title(t.words[0]), title(t.words[1]),
			t.words[2] + " " + headlineNouns[r.intn(len(headlineNouns))], title(t.words[3]),
		}
		g.topics = append(g.topics, t)
	}
	return g
}

// story returns story i, and the index of the story it copies or -1. Each
// story depends only on the seed, n and i, so stories can be written as
// they are made.
func (g *generator) story(i int) (Record, int) {
	r := newRNG(g.seed, uint64(i)+1)
	if i > 0 && r.float() < CopyRate {
		j := i - 1 - r.intn(min(i, copyWindow))
		orig, _ := g.story(j)
		return g.copyStory(orig, i, r), j
	}
	w := &writer{g: g, r: r, t: &g.topics[r.pick(g.topicCDF)]}
	if r.float() < 0.25 {
		w.t2 = &g.topics[r.pick(g.topicCDF)]
	}
	src := sources[r.pick(g.sourceCDF)]
	city := w.t.city
	if r.float() < 0.3 {
		city = cities[r.intn(len(cities))]
	}
	rec := Record{
		Title:    w.headline(),
		Summary:  w.sentence(18, 32, 0.3),
		Body:     w.body(300 + r.intn(371)),
		Source:   src,
		Author:   author(r),
		Dateline: strings.ToUpper(city) + " (" + src + ")",
		Section:  sections[w.t.section],
		Tags:     w.tags(),
	}
	g.place(&rec, i, r)
	return rec, -1
}

// place gives rec its time slot and URL as story i.
func (g *generator) place(rec *Record, i int, r *rng) {
	slot := Span / time.Duration(max(g.n, 1))
	pub := g.now.Add(-Span + slot*time.Duration(i+1) - time.Duration(r.float()*float64(slot))).Truncate(time.Second)
	rec.PublishedAt = pub.Format(time.RFC3339)
	domain := strings.ReplaceAll(news.Slugify(rec.Source), "-", "") + ".example"
	slug := news.Slugify(rec.Title)
	if len(slug) > 60 {
		slug = strings.TrimRight(slug[:60], "-")
	}
	rec.URL = "https://" + domain + "/" + news.Slugify(rec.Section) + pub.Format("/2006/01/02/") +
		slug + "-" + strconv.Itoa(i+1)
}

// copyStory returns orig as another source carried it: a few words
// changed, its own byline, time and URL.
func (g *generator) copyStory(orig Record, i int, r *rng) Record {
	c := orig
	for c.Source == orig.Source {
		c.Source = sources[r.pick(g.sourceCDF)]
	}
	city, _, _ := strings.Cut(orig.Dateline, " (")
	c.Dateline = city + " (" + c.Source + ")"
	c.Author = author(r)
	c.Title = g.mutate(orig.Title, r, 0.12)
	c.Summary = g.mutate(orig.Summary, r, 0.04)
	c.Body = g.mutate(orig.Body, r, 0.02)
	c.Tags = orig.Tags
	if len(c.Tags) > 2 && r.float() < 0.3 {
		c.Tags = c.Tags[:len(c.Tags)-1]
	}
	g.place(&c, i, r)
	return c
}

// mutate replaces about rate of the plain lowercase words of s with words
// from the shared pool, as an editor rewording a wire story would.
func (g *generator) mutate(s string, r *rng, rate float64) string {
	fields := strings.Split(s, " ")
	changed := false
	for k, f := range fields {
		if k == 0 || f == "" || !isLower(f) || r.float() >= rate {
			continue
		}
		fields[k] = g.pool[r.pick(g.poolCDF)]
		changed = true
	}
	if !changed {
		// Always change something: a copy is never byte-identical.
		for k := len(fields) - 1; k > 0; k-- {
			if isLower(fields[k]) {
				fields[k] = g.pool[r.pick(g.poolCDF)]
				break
			}
		}
	}
	return strings.Join(fields, " ")
}

func isLower(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// writer writes one story on topic t, with some words of t2 when set.
type writer struct {
	g     *generator
	r     *rng
	t, t2 *topic
	n     int // words written
}

// word returns one word: topical with probability rate, else common.
func (w *writer) word(rate float64) string {
	x := w.r.float()
	switch {
	case x < rate:
		return w.t.words[w.r.pick(w.t.cdf)]
	case x < rate*1.2 && w.t2 != nil:
		return w.t2.words[w.r.pick(w.t2.cdf)]
	case x < rate*1.2+0.01:
		return w.g.words[w.r.intn(len(w.g.words))]
	case x < rate*1.2+0.025:
		if w.r.float() < 0.2 {
			return strconv.Itoa(w.g.now.Year() - w.r.intn(30)) // a year
		}
		return strconv.Itoa(1 + w.r.intn(100))
	}
	return w.g.pool[w.r.pick(w.g.poolCDF)]
}

// content returns a topical or common word that is not a function word.
func (w *writer) content(rate float64) string {
	for {
		if x := w.word(rate); w.g.content(x) {
			return x
		}
	}
}

// content reports whether x is a word a headline could carry.
func (g *generator) content(x string) bool {
	return len(x) > 3 && x[0] >= 'a' && x[0] <= 'z' && !headlineStop[x]
}

var headlineStop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(english)[:130] {
		m[w] = true
	}
	return m
}()

func (w *writer) headline() string {
	r := w.r
	var b []string
	switch x := r.float(); {
	case x < 0.35:
		b = append(b, w.t.place)
	case x < 0.6:
		p := w.t.people[r.intn(len(w.t.people))]
		b = append(b, p[strings.IndexByte(p, ' ')+1:])
	default:
		b = append(b, title(w.t.words[r.pick(w.t.cdf)]), w.content(0))
	}
	b = append(b, headlineVerbs[r.intn(len(headlineVerbs))], w.t.words[r.pick(w.t.cdf)],
		headlineNouns[r.intn(len(headlineNouns))])
	if r.float() < 0.6 {
		b = append(b, connectors[r.intn(len(connectors))])
		for range 2 + r.intn(3) {
			b = append(b, w.content(0.4))
		}
	}
	return strings.Join(b, " ")
}

// sentence returns one sentence of lo to hi words, topical at rate.
func (w *writer) sentence(lo, hi int, rate float64) string {
	r := w.r
	n := lo + r.intn(hi-lo+1)
	w.n += n
	var b strings.Builder
	switch x := r.float(); {
	case x < 0.15:
		b.WriteString(w.t.people[r.intn(len(w.t.people))])
		n -= 2
	case x < 0.25:
		b.WriteString("In " + w.t.place + ",")
		n -= 2
	default:
		b.WriteString(title(w.word(rate)))
		n--
	}
	for k := range n {
		if k > 2 && k < n-2 && r.float() < 0.06 {
			b.WriteByte(',')
		}
		b.WriteByte(' ')
		b.WriteString(w.word(rate))
	}
	b.WriteByte('.')
	return b.String()
}

// body returns Markdown paragraphs of about words words.
func (w *writer) body(words int) string {
	r := w.r
	w.n = 0
	var paras []string
	heading := -1
	if r.float() < 0.15 {
		heading = 2 + r.intn(3)
	}
	for w.n < words {
		if len(paras) == heading {
			h := []string{title(w.t.words[r.pick(w.t.cdf)])}
			for range 1 + r.intn(3) {
				h = append(h, w.content(0.3))
			}
			paras = append(paras, "## "+strings.Join(h, " "))
		}
		var p []string
		k := 2 + r.intn(3)
		if len(paras) == 0 {
			k = 1 + r.intn(2) // a lede
		}
		for range k {
			p = append(p, w.sentence(8, 26, 0.12))
			if w.n >= words {
				break
			}
		}
		if w.n < words && r.float() < 0.25 {
			q := strings.TrimSuffix(w.sentence(10, 22, 0.15), ".")
			p = append(p, "\""+q+",\" said "+w.t.people[r.intn(len(w.t.people))]+", "+roles[r.intn(len(roles))]+".")
			w.n += 6
		}
		paras = append(paras, strings.Join(p, " "))
	}
	return strings.Join(paras, "\n\n")
}

// tags returns 2 to 5 tags: mostly the topic's, sometimes general ones.
func (w *writer) tags() []string {
	r := w.r
	n := 2 + r.intn(4)
	var out []string
	seen := map[string]bool{}
	for len(out) < n {
		var t string
		switch x := r.float(); {
		case x < 0.7:
			t = w.t.tags[r.pick(tagCDF)]
		case x < 0.8 && w.t2 != nil:
			t = w.t2.tags[r.pick(tagCDF)]
		default:
			t = generalTags[r.pick(w.g.generalCDF)]
		}
		if s := news.Slugify(t); !seen[s] {
			seen[s] = true
			out = append(out, t)
		}
	}
	return out
}

var tagCDF = zipfCDF(topicTags, 0.8, 1)

func author(r *rng) string {
	return firstNames[r.intn(len(firstNames))] + " " + lastNames[r.intn(len(lastNames))]
}

func title(s string) string {
	c, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(c)) + s[n:]
}

// Pieces of generated words. No word ends in s, e, ed or ing, so the
// stemmer leaves each as it is and no two meet in one term.
var (
	onsets = []string{"b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "kl",
		"l", "m", "n", "p", "pl", "pr", "r", "s", "sh", "st", "t", "tr", "v", "w", "z"}
	vowels = []string{"a", "e", "i", "o", "u", "a", "e", "i", "o", "u", "a", "o", "ai", "ea", "io", "ou"}
	codas  = []string{"", "n", "r", "l", "m", "nd", "rt", "x", "th", "k", "t", "ck", "v", "z", "lt", "rn"}
)

func pseudoWord(r *rng, seen map[string]bool) string {
	for {
		var b strings.Builder
		syl := 2
		if r.float() < 0.3 {
			syl = 3
		}
		for range syl {
			b.WriteString(onsets[r.intn(len(onsets))])
			b.WriteString(vowels[r.intn(len(vowels))])
		}
		coda := codas[r.intn(len(codas))]
		b.WriteString(coda)
		w := b.String()
		if len(w) < 5 || seen[w] || (coda == "" && strings.HasSuffix(w, "e")) {
			continue
		}
		seen[w] = true
		return w
	}
}

// zipfCDF returns the running sums of the weights 1/(k+q)^s, k = 1…n.
func zipfCDF(n int, s, q float64) []float64 {
	cdf := make([]float64, n)
	sum := 0.0
	for k := range cdf {
		sum += 1 / math.Pow(float64(k+1)+q, s)
		cdf[k] = sum
	}
	return cdf
}

// rng is SplitMix64: small, fast and the same in every Go release, which
// math/rand's methods do not promise.
type rng struct{ s uint64 }

func newRNG(seed int64, stream uint64) *rng {
	return &rng{s: mix(uint64(seed)*0x9e3779b97f4a7c15 + mix(stream))}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// pick returns an index drawn with the weights whose running sums are cdf.
func (r *rng) pick(cdf []float64) int {
	return min(sort.SearchFloat64s(cdf, r.float()*cdf[len(cdf)-1]), len(cdf)-1)
}

// english is the shared pool of common English, roughly most frequent
// first: function words, then the general vocabulary of news writing. Its
// order is its Zipf rank.
const english = `
the of and to a in that is was for on it with as he at by said his from be
have has are an but not they were had this which who will their been its would
there more after she also her or we about than two one other up when new into
some could them what over first last year years only can out most people time
all those our so if no any such while before three during since against through
where then these should because many like just between under back us may four
both another being made well each down still off around do did does however
even much very here now government minister president country state city police
officials week month day today report told company million billion percent
market public party court law security health water power school children women
men family home group world national international local economic political
military foreign financial social united council agency workers students
officers leaders members residents voters prices costs plans deal talks support
services system program project development policy issue question problem
change growth rate level number part place area region border capital center
office house street road building hospital university church station airport
bank fund budget money tax debt trade business industry sector firm board
chief director head spokesman spokeswoman statement interview meeting
conference election vote campaign candidate opposition coalition parliament
senate congress committee commission ministry department administration
authorities forces troops army navy attack war peace ceasefire crisis conflict
protest strike union rights freedom justice trial judge case charges lawyer
prison investigation inquiry evidence decision ruling appeal order rules
regulation reform bill measure proposal agreement contract partnership
investment investors shares stock profit revenue sales growth economy
inflation jobs unemployment wages pay pension energy oil gas electricity
climate weather storm flood fire drought heat temperature emissions carbon
pollution environment nature forest river sea coast island land farm farmers
food crops harvest supply demand shortage exports imports goods products
technology data software internet online digital network phone computer
platform users customers service research science scientists study studies
researchers results evidence experts doctors patients disease virus vaccine
treatment care medical hospital drugs death deaths killed injured victims
survivors rescue emergency accident crash damage repairs safety risk danger
warning threat fears concerns hopes plans efforts steps moves move action
response reaction pressure demand calls call support opposition criticism
praise concern interest attention focus role position power control influence
share half quarter third total average record high low rise fall increase
decline drop jump gain loss losses cuts cut spending savings funding aid loans
credit currency dollar euro pound exchange markets traders analysts economists
forecast outlook figures data survey poll majority minority population
community communities neighbourhood village town towns cities countries
nations states region regions province district county borders territory
capital north south east west northern southern eastern western central
coastal rural urban national regional global european african asian american
british french german chinese russian indian japanese spanish italian
brazilian canadian australian mexican turkish
early late long short major minor key main top senior former current recent
future past next previous final full free open closed public private small
large big little great good bad better best worse worst important possible
likely unlikely clear strong weak hard easy difficult simple real true false
special general common different similar same whole entire certain particular
additional further broad wide narrow deep serious severe minor critical
official independent military civil legal illegal economic financial social
cultural historic historical traditional modern young old older younger
rich poor popular famous known unknown available necessary local foreign
domestic international human natural medical technical environmental
say says make makes take takes give gives find found show shows shown keep
kept hold held lead led bring brought begin began start started end ended
remain remained continue continued become became seem seemed leave left
reach reached expect expected believe believed consider considered include
included follow followed allow allowed provide provided receive received
accept accepted agree agreed build built create created develop developed
produce produced increase increased reduce reduced raise raised spend spent
pay paid sell sold buy bought open opened close closed win won lose lost
meet met announce announced confirm confirmed deny denied claim claimed
warn warned urge urged call called ask demand demanded promise promised
plan planned hope hoped fear feared face faced hit struck fight fought
attack attacked kill arrest arrested charge charged accuse accused sentence
sentenced release released launch launched approve approved reject rejected
block blocked ban banned suspend suspended resign resigned appoint appointed
elect elected vote voted sign signed join joined support supported oppose
opposed criticise criticised defend defended protect protected prevent
prevented avoid avoided improve improved affect affected cause caused
return returned move moved travel arrive arrived visit visited happen
happened occur occurred die died survive survived recover recovered
describe described explain explained suggest suggested argue argued insist
insisted admit admitted acknowledge acknowledged note noted point pointed
estimate estimated measure measured test tested review reviewed examine
investigate investigated discover discovered reveal revealed publish
published report reported write wrote read speak spoke talk talked listen
watch watched look looked seek sought try tried help helped serve served
work worked operate operated manage managed run ran lead
week weekend morning afternoon evening night hours minutes season summer
winter spring autumn decade century period moment stage phase round term
history future tradition culture art music film book books theatre festival
museum gallery artist artists writer author director actor actress singer
band album song show series episode television radio newspaper magazine
media press journalist journalists reporters editor news story stories
sport sports team teams player players coach match game games league cup
championship title season final goal goals win victory defeat draw points
race races runner club clubs fans stadium tournament olympic medal
fans crowd audience visitors tourists tourism hotel restaurant shop shops
store stores price car cars vehicle vehicles train trains bus flight flights
plane planes ship ships port ports traffic transport rail railway bridge
tunnel highway construction housing homes apartment rent property owners
tenants landlords mortgage insurance benefits welfare education teachers
schools pupils parents child children families youth age ages generation
life lives health mental hospital clinic nurses staff employees employers
managers executives shareholders customers consumers buyers sellers
suppliers manufacturers producers retailers companies firms groups
organisations charity charities volunteers campaigners activists critics
supporters opponents rivals allies partners neighbours friends relatives
husband wife son daughter mother father brother sister man woman boy girl
person individuals citizens migrants refugees asylum immigration border
visa passport identity language religion faith church mosque temple
values beliefs ideas views opinion debate discussion dispute row clash
tension tensions relations relationship ties links connection contact
network networks access connection signal message letter document documents
papers files records details information intelligence source sources
account accounts website site sites app apps device devices chips screen
battery batteries solar wind nuclear coal plant plants factory factories
production output capacity efficiency performance quality standard standards
target targets goal goals strategy strategies approach method methods
process procedure system systems structure framework model models version
feature features design designs material materials equipment tools machine
machines robot robots engine engines fuel water supplies resources minerals
metal steel gold silver copper iron aluminium wood paper plastic glass
`

// firstNames are first names for bylines and people in the news.
var firstNames = []string{
	"Anna", "James", "Maria", "David", "Sarah", "Michael", "Laura", "Daniel",
	"Elena", "Thomas", "Sofia", "Peter", "Grace", "Samuel", "Amira", "Lucas",
	"Hannah", "Omar", "Julia", "Marek", "Chloe", "Kenji", "Fatima", "Pablo",
	"Ingrid", "Tariq", "Nadia", "Oliver", "Priya", "Viktor", "Leila", "Jonas",
	"Ruth", "Mateo", "Aisha", "Henrik", "Mei", "Carlos", "Zara", "Tomas",
	"Eva", "Ibrahim", "Clara", "Felix", "Noor", "Andrei", "Rosa", "Kwame",
}

// lastNames are surnames for bylines.
var lastNames = []string{
	"Novak", "Smith", "Garcia", "Okafor", "Müller", "Rossi", "Kowalski",
	"Johansson", "Tanaka", "Haddad", "Silva", "Dubois", "Petrov", "Kim",
	"Nguyen", "Andersen", "Moreau", "Costa", "Ibrahim", "Schmidt", "Brown",
	"Wilson", "Lopez", "Fischer", "Mensah", "Horvath", "Dvorak", "Yilmaz",
	"Singh", "Chen", "Walsh", "Murphy", "Larsen", "Santos", "Ivanova",
	"Kaplan", "Ortiz", "Bakker", "Sato", "Achieng", "Lindqvist", "Moretti",
}

// cities are datelines.
var cities = []string{
	"London", "Paris", "Berlin", "Prague", "Warsaw", "Vienna", "Madrid",
	"Rome", "Lisbon", "Brussels", "Amsterdam", "Stockholm", "Oslo", "Helsinki",
	"Dublin", "Athens", "Istanbul", "Cairo", "Nairobi", "Lagos", "Accra",
	"Johannesburg", "Addis Ababa", "Dubai", "Riyadh", "Tehran", "Delhi",
	"Mumbai", "Karachi", "Dhaka", "Bangkok", "Jakarta", "Manila", "Singapore",
	"Hong Kong", "Beijing", "Shanghai", "Seoul", "Tokyo", "Sydney",
	"Auckland", "Washington", "New York", "Chicago", "Los Angeles", "Toronto",
	"Mexico City", "Bogotá", "Lima", "Santiago", "Buenos Aires", "São Paulo",
	"Geneva", "Kyiv", "Bucharest", "Budapest", "Zagreb", "Vilnius",
}

// sources are the publishers stories come from.
var sources = []string{
	"Global Wire", "Metro Ledger", "Continental Press", "Daily Courier",
	"Northern Herald", "Harbour Times", "Capital Gazette", "Evening Standard Post",
	"Atlas News Agency", "Meridian Report", "Coastal Observer", "Summit Daily",
	"Riverside Chronicle", "Union Dispatch", "Pacific Bulletin", "Highland Record",
	"Frontier Journal", "Civic Tribune", "Market Review", "Tech Signal",
	"Science Weekly Online", "Health Desk", "Sport Line", "Culture Post",
	"Planet Monitor", "Lakeside Examiner", "Valley Sentinel", "Central Telegraph",
	"Open Press", "World Briefing", "City Echo", "Independent Voice",
	"Morning Star Online", "Public Record", "Newsroom One", "Insight Daily",
	"Horizon Media", "Bridge News", "Compass Reports", "Signal Press",
}

// sections are the site's departments, most stories first.
var sections = []string{
	"World", "Politics", "Business", "Technology", "Science", "Health",
	"Sport", "Culture", "Climate", "Local",
}

// generalTags are topics that cut across stories, most used first.
var generalTags = []string{
	"Economy", "Elections", "Climate", "Health", "Education", "Courts",
	"Police", "Energy", "Housing", "Transport", "Trade", "Inflation", "Jobs",
	"Football", "Tennis", "Olympics", "Film", "Music", "Books", "Art", "Space",
	"Artificial intelligence", "Cybersecurity", "Startups", "Banking",
	"Markets", "Oil", "Agriculture", "Weather", "Floods", "Wildfires",
	"Migration", "Diplomacy", "Defence", "Conflict", "Human rights", "Tax",
	"Budget", "Parliament", "Local government", "Public health", "Vaccines",
	"Hospitals", "Universities", "Schools", "Railways", "Aviation", "Shipping",
	"Tourism", "Retail", "Manufacturing", "Mining", "Water", "Pollution",
	"Biodiversity", "Oceans", "Renewables", "Nuclear power", "Electric cars",
	"Smartphones", "Social media", "Privacy", "Regulation", "Antitrust",
	"Corruption", "Protests", "Strikes", "Unions", "Pensions", "Welfare",
	"Crime", "Terrorism", "Refugees", "Religion", "Theatre", "Fashion", "Food",
	"Science", "Research", "Medicine", "Mental health", "Cancer", "Ageing",
	"Cycling", "Athletics", "Basketball", "Cricket", "Rugby", "Motorsport",
	"Golf", "Swimming", "Chess", "Gaming", "Television", "Museums",
	"Architecture", "History", "Archaeology", "Astronomy", "Earthquakes",
}

// headlineVerbs join a headline's subject to its object.
var headlineVerbs = []string{
	"backs", "rejects", "warns over", "unveils", "delays", "approves",
	"probes", "faces", "cuts", "wins", "plans", "defends", "halts", "revives",
	"scraps", "expands", "questions", "confirms", "opens", "blocks", "targets",
	"signs", "eyes", "weighs", "doubles down on", "pushes for", "moves to end",
	"calls for", "launches", "sues over",
}

// headlineNouns close a headline's object.
var headlineNouns = []string{
	"plan", "talks", "deal", "vote", "law", "strike", "probe", "budget",
	"report", "project", "crisis", "reform", "ban", "bid", "contract",
	"warning", "dispute", "inquiry", "scheme", "rules", "merger", "protest",
	"tariffs", "subsidies", "ruling", "rollout", "shortage", "expansion",
	"cuts", "rescue", "funding", "review", "trial", "pact", "standoff",
}

// connectors open a headline's trailing clause.
var connectors = []string{"as", "after", "amid", "despite", "over", "ahead of", "following", "while"}

// roles describe the people quoted.
var roles = []string{
	"a spokesperson for the ministry", "the council leader", "an analyst",
	"the company's chief executive", "a local resident", "a union official",
	"an opposition lawmaker", "the project's director", "a senior researcher",
	"a government adviser", "the mayor", "a campaigner",
}
