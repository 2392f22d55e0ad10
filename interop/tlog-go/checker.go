// Command checker checks an `attest ledger serve` log with Go's own
// transparency-log code: golang.org/x/mod/sumdb/note (signed-note
// checkpoints) and golang.org/x/mod/sumdb/tlog (RFC 6962/9162 hashing, tiles,
// proofs). It shares no code with the ledger (interop/tlog-go/README.md).
//
//	checker submit -url URL -receipts FILE [-concurrency N] DOC...
//	checker check  -url URL -key VKEY [-state DIR] [-receipts FILE]... [-expect-size N]
//
// Every failed check exits 1 with "tlog-go: FAIL: ..." on stderr; a passing
// run ends with "tlog-go: N checks passed (...)".
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Tile height of C2SP tlog-tiles: 2^8 = 256 hashes per full tile.
const height = 8
const width = 1 << height

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlog-go: FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// counts of passed checks, by kind, in the order first seen.
type counter struct {
	n     map[string]int
	order []string
}

func (c *counter) ok(kind string) {
	if c.n == nil {
		c.n = map[string]int{}
	}
	if _, seen := c.n[kind]; !seen {
		c.order = append(c.order, kind)
	}
	c.n[kind]++
}

func (c *counter) total() int {
	t := 0
	for _, v := range c.n {
		t += v
	}
	return t
}

func (c *counter) summary() string {
	parts := make([]string, 0, len(c.order))
	for _, k := range c.order {
		parts = append(parts, fmt.Sprintf("%s %d", k, c.n[k]))
	}
	return strings.Join(parts, ", ")
}

var checks counter

// --- HTTP -------------------------------------------------------------------

type client struct {
	base     string
	http     *http.Client
	mu       sync.Mutex
	requests int
}

func newClient(base string) *client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

func (c *client) do(method, path string, body []byte) (int, []byte, http.Header) {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		fail("%s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		fail("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		fail("%s %s: reading the body: %v", method, path, err)
	}
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	return resp.StatusCode, b, resp.Header
}

// get answers the body of a 200 response; any other status fails.
func (c *client) get(path string) []byte {
	status, b, _ := c.do("GET", path, nil)
	if status != 200 {
		fail("GET %s: status %d, wanted 200: %s", path, status, trunc(b))
	}
	return b
}

func (c *client) getJSON(path string, v interface{}) {
	b := c.get(path)
	if err := json.Unmarshal(b, v); err != nil {
		fail("GET %s: not the expected JSON (%v): %s", path, err, trunc(b))
	}
}

func trunc(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// --- checkpoints (C2SP signed note, body origin/size/root) ----------------------

type checkpoint struct {
	raw    []byte
	origin string
	tree   tlog.Tree
	ext    []string
}

// openCheckpoint verifies a checkpoint note with note.Open and the log's
// verifier, then parses its text as a C2SP checkpoint body.
func openCheckpoint(raw []byte, v note.Verifier) (checkpoint, error) {
	n, err := note.Open(raw, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, fmt.Errorf("note.Open: %v", err)
	}
	signed := false
	for _, s := range n.Sigs {
		if s.Name == v.Name() && s.Hash == v.KeyHash() {
			signed = true
		}
	}
	if !signed {
		return checkpoint{}, errors.New("no verified signature by the log key")
	}
	// The text ends in "\n" (note.Open keeps the final newline of the text).
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return checkpoint{}, fmt.Errorf("checkpoint body %q: want origin, size, root lines", n.Text)
	}
	lines = lines[:len(lines)-1]
	cp := checkpoint{raw: raw, origin: lines[0]}
	if cp.origin != v.Name() {
		return checkpoint{}, fmt.Errorf("origin %q is not the key name %q", cp.origin, v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return checkpoint{}, fmt.Errorf("size line %q is not a canonical decimal", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize || base64.StdEncoding.EncodeToString(root) != lines[2] {
		return checkpoint{}, fmt.Errorf("root line %q is not 32 bytes in canonical base64", lines[2])
	}
	cp.tree.N = size
	copy(cp.tree.Hash[:], root)
	for _, e := range lines[3:] {
		if e == "" {
			return checkpoint{}, errors.New("empty extension line")
		}
		cp.ext = append(cp.ext, e)
	}
	return cp, nil
}

// --- tiles ---------------------------------------------------------------------

// tilePath maps a sumdb tile (tile/H/L/N[.p/W]) to the C2SP tlog-tiles path
// (tile/L/N[.p/W]: the height is fixed at 8 and left out).
func tilePath(t tlog.Tile) string {
	if t.H != height {
		panic("tile height")
	}
	return "/tile/" + strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
}

// entriesPath is the entry bundle of the level-0 tile t: tile/entries/N[.p/W].
func entriesPath(t tlog.Tile) string {
	return "/tile/entries/" + strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/0/", height))
}

// checkTileHeaders: tiles are octet streams; a full tile is immutable, a
// partial one is not cached (docs/spec.md §10.3).
func checkTileHeaders(path string, full bool, h http.Header) {
	if ct := h.Get("Content-Type"); ct != "application/octet-stream" {
		fail("GET %s: Content-Type %q, wanted application/octet-stream", path, ct)
	}
	cc := h.Get("Cache-Control")
	if full && !strings.Contains(cc, "immutable") || !full && cc != "no-cache" {
		fail("GET %s: Cache-Control %q for a %s tile", path, cc, map[bool]string{true: "full", false: "partial"}[full])
	}
	checks.ok("tile-headers")
}

// tileServer is a tlog.TileReader over the ledger's hash tiles; tamper, when
// set, changes what it returns (for the negative self-tests).
type tileServer struct {
	c      *client
	mu     sync.Mutex
	cache  map[tlog.Tile][]byte
	saved  int
	tamper func(tlog.Tile, []byte) []byte
}

func (s *tileServer) Height() int { return height }

func (s *tileServer) fetch(t tlog.Tile) []byte {
	s.mu.Lock()
	data, ok := s.cache[t]
	s.mu.Unlock()
	if ok {
		return data
	}
	status, data, h := s.c.do("GET", tilePath(t), nil)
	if status != 200 {
		fail("GET %s: status %d, wanted 200: %s", tilePath(t), status, trunc(data))
	}
	checkTileHeaders(tilePath(t), t.W == width, h)
	if len(data) != t.W*tlog.HashSize {
		fail("GET %s: %d bytes, wanted %d (W=%d hashes)", tilePath(t), len(data), t.W*tlog.HashSize, t.W)
	}
	s.mu.Lock()
	s.cache[t] = data
	s.mu.Unlock()
	return data
}

func (s *tileServer) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		d := append([]byte(nil), s.fetch(t)...)
		if s.tamper != nil {
			d = s.tamper(t, d)
		}
		out[i] = d
	}
	return out, nil
}

func (s *tileServer) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	s.mu.Lock()
	s.saved += len(tiles)
	s.mu.Unlock()
}

// memHashes is a tlog.HashReader over hashes Go computed itself from the
// entries with tlog.StoredHashes (the go.sum database's stored-hash layout).
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(m)) {
			return nil, fmt.Errorf("stored hash %d not computed (have %d)", x, len(m))
		}
		out[i] = m[x]
	}
	return out, nil
}

// parseBundle splits an entry bundle: each entry a 2-byte big-endian length
// and that many bytes, nothing after the last.
func parseBundle(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("a truncated length prefix")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, fmt.Errorf("entry %d: %d bytes announced, %d left", len(out), n, len(b)-2)
		}
		out = append(out, b[2:2+n])
		b = b[2+n:]
	}
	return out, nil
}

// --- JSON answers of the ledger ---------------------------------------------------

type hexHash tlog.Hash

func (h *hexHash) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) != tlog.HashSize || hex.EncodeToString(raw) != s {
		return fmt.Errorf("%q is not 64 lowercase hex digits", s)
	}
	copy(h[:], raw)
	return nil
}

func hashes(in []hexHash) []tlog.Hash {
	out := make([]tlog.Hash, len(in))
	for i, h := range in {
		out[i] = tlog.Hash(h)
	}
	return out
}

type inclusionAnswer struct {
	Index    *int64    `json:"index"`
	TreeSize *int64    `json:"treeSize"`
	LeafHash hexHash   `json:"leafHash"`
	Proof    []hexHash `json:"inclusionProof"`
}

type consistencyAnswer struct {
	Old   *int64     `json:"old"`
	New   *int64     `json:"new"`
	Proof *[]hexHash `json:"consistencyProof"`
}

type entryAnswer struct {
	Index      *int64          `json:"index"`
	Entry      json.RawMessage `json:"entry"`
	LeafHash   hexHash         `json:"leafHash"`
	Proof      []hexHash       `json:"inclusionProof"`
	TreeSize   *int64          `json:"treeSize"`
	Checkpoint string          `json:"checkpoint"`
}

type receipt struct {
	Index      *int64    `json:"index"`
	LeafHash   hexHash   `json:"leafHash"`
	Checkpoint string    `json:"checkpoint"`
	Proof      []hexHash `json:"inclusionProof"`
	TreeSize   *int64    `json:"treeSize"`
}

type receiptLine struct {
	File    string          `json:"file"`
	Status  int             `json:"status"`
	Receipt json.RawMessage `json:"receipt"`
}

func sameHashes(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func showHashes(p []tlog.Hash) string {
	s := make([]string, len(p))
	for i, h := range p {
		s[i] = hex.EncodeToString(h[:])
	}
	return "[" + strings.Join(s, " ") + "]"
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i%len(c)] ^= 0x01
	return c
}

// --- submit ------------------------------------------------------------------

func submit(args []string) {
	fs := flag.NewFlagSet("submit", flag.ExitOnError)
	url := fs.String("url", "", "ledger base URL")
	out := fs.String("receipts", "", "append one JSON line per answer here")
	conc := fs.Int("concurrency", 16, "parallel clients")
	fs.Parse(args)
	if *url == "" || *out == "" || fs.NArg() == 0 {
		fail("usage: checker submit -url URL -receipts FILE [-concurrency N] DOC...")
	}
	c := newClient(*url)
	files := fs.Args()
	lines := make([][]byte, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				body, err := os.ReadFile(files[i])
				if err != nil {
					fail("%v", err)
				}
				status, b, _ := c.do("POST", "/v1/entries", body)
				if status != 201 {
					fail("POST /v1/entries %s: status %d, wanted 201 (a new, valid document): %s", files[i], status, trunc(b))
				}
				line, _ := json.Marshal(receiptLine{File: files[i], Status: status, Receipt: b})
				lines[i] = append(line, '\n')
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		fail("%v", err)
	}
	for _, l := range lines {
		f.Write(l)
	}
	if err := f.Close(); err != nil {
		fail("%v", err)
	}
	fmt.Printf("tlog-go: submitted %d documents (201 each) with %d clients in %.1fs\n", len(files), *conc, time.Since(start).Seconds())
}

// --- check ------------------------------------------------------------------

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

type ledger struct {
	c       *client
	v       note.Verifier
	cp      checkpoint
	n       int64
	entries [][]byte
	mem     memHashes
	tiles   *tileServer
	thr     tlog.HashReader // tlog.TileHashReader over the ledger's tiles, bound to cp
}

func (l *ledger) rootAt(s int64) tlog.Hash {
	h, err := tlog.TreeHash(s, l.mem)
	if err != nil {
		fail("tlog.TreeHash(%d) over Go's own hashes: %v", s, err)
	}
	return h
}

func check(args []string) {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	url := fs.String("url", "", "ledger base URL")
	vkey := fs.String("key", "", "the log's verifier key (name+hex+base64, from `attest ledger key`)")
	state := fs.String("state", "", "directory keeping the checkpoint of the previous run (consistency old -> new)")
	expect := fs.Int64("expect-size", -1, "the tree size the checkpoint must have")
	var receipts multiFlag
	fs.Var(&receipts, "receipts", "receipts written by `checker submit` (repeatable)")
	fs.Parse(args)
	if *url == "" || *vkey == "" {
		fail("usage: checker check -url URL -key VKEY [-state DIR] [-receipts FILE]... [-expect-size N]")
	}
	start := time.Now()
	v, err := note.NewVerifier(strings.TrimSpace(*vkey))
	if err != nil {
		fail("note.NewVerifier(%q): %v", *vkey, err)
	}
	checks.ok("verifier-key")
	l := &ledger{c: newClient(*url), v: v}

	// 1. The checkpoint: Go's note.Open with the log's verifier.
	status, raw, h := l.c.do("GET", "/checkpoint", nil)
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		fail("GET /checkpoint: status %d, Content-Type %q: %s", status, h.Get("Content-Type"), trunc(raw))
	}
	l.cp, err = openCheckpoint(raw, v)
	if err != nil {
		fail("/checkpoint: %v\n%s", err, raw)
	}
	l.n = l.cp.tree.N
	checks.ok("checkpoint-signature")
	if *expect >= 0 && l.n != *expect {
		fail("/checkpoint: tree size %d, wanted %d", l.n, *expect)
	}
	fmt.Printf("tlog-go: checkpoint %s size %d root %s\n", l.cp.origin, l.n, l.cp.tree.Hash)

	if l.n == 0 {
		// RFC 9162 §2.1.1: the empty tree's hash is SHA-256 of the empty string
		// (Go's tlog.TreeHash(0) is all zeros by its own convention instead).
		if l.cp.tree.Hash != tlog.Hash(sha256.Sum256(nil)) {
			fail("empty log: root %s, RFC 9162 wants SHA-256(\"\")", l.cp.tree.Hash)
		}
		checks.ok("empty-root")
		l.notYet()
		l.negativeCheckpoint()
		l.saveState(*state)
		fmt.Printf("tlog-go: %d checks passed (%s) in %.1fs, %d requests\n", checks.total(), checks.summary(), time.Since(start).Seconds(), l.c.requests)
		return
	}

	l.readEntries()
	l.hashTiles()
	l.inclusionProofs()
	l.consistencyProofs()
	l.entryEndpoint()
	for _, r := range receipts {
		l.receipts(r)
	}
	l.previous(*state)
	l.notYet()
	l.negative()
	l.saveState(*state)
	fmt.Printf("tlog-go: %d checks passed (%s) in %.1fs, %d requests\n", checks.total(), checks.summary(), time.Since(start).Seconds(), l.c.requests)
}

// readEntries fetches every entry bundle and builds Go's own stored hashes
// from the entries (tlog.StoredHashes), then checks the root.
func (l *ledger) readEntries() {
	for start := int64(0); start < l.n; start += width {
		w := l.n - start
		if w > width {
			w = width
		}
		t := tlog.Tile{H: height, L: 0, N: start / width, W: int(w)}
		status, b, h := l.c.do("GET", entriesPath(t), nil)
		if status != 200 {
			fail("GET %s: status %d, wanted 200: %s", entriesPath(t), status, trunc(b))
		}
		checkTileHeaders(entriesPath(t), t.W == width, h)
		es, err := parseBundle(b)
		if err != nil {
			fail("GET %s: %v", entriesPath(t), err)
		}
		if int64(len(es)) != w {
			fail("GET %s: %d entries, wanted %d", entriesPath(t), len(es), w)
		}
		l.entries = append(l.entries, es...)
		checks.ok("entry-bundle")
	}
	// A narrower bundle of the last tile holds the first W entries of the wider one.
	if last := l.n % width; last > 1 {
		t := tlog.Tile{H: height, L: 0, N: l.n / width, W: int(last / 2)}
		es, err := parseBundle(l.c.get(entriesPath(t)))
		if err != nil || len(es) != t.W {
			fail("GET %s: %d entries (%v), wanted %d", entriesPath(t), len(es), err, t.W)
		}
		for i, e := range es {
			if !bytes.Equal(e, l.entries[int64(t.N)*width+int64(i)]) {
				fail("GET %s: entry %d differs from the wider bundle", entriesPath(t), i)
			}
		}
		checks.ok("entry-bundle")
	}
	for i, e := range l.entries {
		hs, err := tlog.StoredHashes(int64(i), e, l.mem)
		if err != nil {
			fail("tlog.StoredHashes(%d): %v", i, err)
		}
		l.mem = append(l.mem, hs...)
	}
	if int64(len(l.mem)) != tlog.StoredHashCount(l.n) {
		fail("Go's stored hashes: %d, tlog.StoredHashCount(%d) = %d", len(l.mem), l.n, tlog.StoredHashCount(l.n))
	}
	if root := l.rootAt(l.n); root != l.cp.tree.Hash {
		fail("tlog.TreeHash over the %d entries of the bundles = %s, the signed checkpoint says %s", l.n, root, l.cp.tree.Hash)
	}
	checks.ok("root-from-entries")
}

// hashTiles compares every hash tile the ledger serves for this tree size
// (all full tiles and every width of the partial ones, tlog.NewTiles) with the
// tile Go builds from its own hashes (tlog.ReadTileData), checks each leaf
// hash against tlog.RecordHash of its entry, and authenticates the tiles
// against the signed root with tlog.TileHashReader.
func (l *ledger) hashTiles() {
	l.tiles = &tileServer{c: l.c, cache: map[tlog.Tile][]byte{}}
	for _, t := range tlog.NewTiles(height, 0, l.n) {
		want, err := tlog.ReadTileData(t, l.mem)
		if err != nil {
			fail("tlog.ReadTileData(%s): %v", t.Path(), err)
		}
		got := l.tiles.fetch(t)
		if !bytes.Equal(got, want) {
			for i := 0; i < t.W; i++ {
				if !bytes.Equal(got[i*32:i*32+32], want[i*32:i*32+32]) {
					fail("GET %s: hash %d is %x, Go computes %x from the entries", tilePath(t), i, got[i*32:i*32+32], want[i*32:i*32+32])
				}
			}
		}
		checks.ok("hash-tile")
	}
	// Level-0 tiles: hash i is tlog.RecordHash of entry i.
	for i, e := range l.entries {
		t := tlog.TileForIndex(height, tlog.StoredHashIndex(0, int64(i)))
		t.W = width
		if rest := l.n - t.N*width; rest < width {
			t.W = int(rest)
		}
		h, err := tlog.HashFromTile(t, l.tiles.fetch(t), tlog.StoredHashIndex(0, int64(i)))
		if err != nil {
			fail("tlog.HashFromTile(%s, leaf %d): %v", t.Path(), i, err)
		}
		if h != tlog.RecordHash(e) {
			fail("leaf %d: tile %s holds %s, tlog.RecordHash(entry) = %s", i, tilePath(t), h, tlog.RecordHash(e))
		}
		checks.ok("leaf-hash")
	}
	l.thr = tlog.TileHashReader(l.cp.tree, l.tiles)
	root, err := tlog.TreeHash(l.n, l.thr)
	if err != nil {
		fail("tlog.TreeHash over the ledger's tiles (TileHashReader): %v", err)
	}
	if root != l.cp.tree.Hash {
		fail("tlog.TreeHash over the ledger's tiles = %s, the checkpoint says %s", root, l.cp.tree.Hash)
	}
	checks.ok("root-from-tiles")
	// Every stored hash Go would keep, read through the authenticating tile reader.
	idx := make([]int64, len(l.mem))
	for i := range idx {
		idx[i] = int64(i)
	}
	got, err := l.thr.ReadHashes(idx)
	if err != nil {
		fail("TileHashReader.ReadHashes(all %d stored hashes): %v", len(idx), err)
	}
	for i := range got {
		if got[i] != l.mem[i] {
			lv, n := tlog.SplitStoredHashIndex(int64(i))
			fail("stored hash (level %d, %d): tiles give %s, entries give %s", lv, n, got[i], l.mem[i])
		}
	}
	checks.ok("stored-hashes-from-tiles")
}

// sizes at which proofs are checked besides the current one: tile edges,
// powers of two, and the middle.
func (l *ledger) sizes(extra ...int64) []int64 {
	set := map[int64]bool{}
	for _, s := range []int64{1, 2, 3, 4, 5, 7, 8, 9, 127, 128, 129, 255, 256, 257, 511, 512, 513, 767, 768, 769, 1023, 1024, 1025, l.n / 2, l.n/2 + 1, l.n - 1, l.n} {
		set[s] = true
	}
	for _, s := range extra {
		set[s] = true
	}
	var out []int64
	for s := range set {
		if s >= 1 && s <= l.n {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (l *ledger) inclusion(index, size int64, root tlog.Hash) []tlog.Hash {
	path := fmt.Sprintf("/v1/proof/inclusion?index=%d&size=%d", index, size)
	var a inclusionAnswer
	l.c.getJSON(path, &a)
	if a.Index == nil || *a.Index != index || a.TreeSize == nil || *a.TreeSize != size {
		fail("GET %s: index/treeSize not echoed", path)
	}
	leaf := tlog.RecordHash(l.entries[index])
	if tlog.Hash(a.LeafHash) != leaf {
		fail("GET %s: leafHash %s, tlog.RecordHash(entry %d) = %s", path, tlog.Hash(a.LeafHash), index, leaf)
	}
	p := hashes(a.Proof)
	if err := tlog.CheckRecord(p, size, root, index, leaf); err != nil {
		fail("GET %s: tlog.CheckRecord refuses the ledger's proof: %v (proof %s)", path, err, showHashes(p))
	}
	checks.ok("inclusion-proof")
	mine, err := tlog.ProveRecord(size, index, l.mem)
	if err != nil {
		fail("tlog.ProveRecord(%d, %d): %v", size, index, err)
	}
	if !sameHashes(p, mine) {
		fail("GET %s: ledger proof %s, tlog.ProveRecord gives %s", path, showHashes(p), showHashes(mine))
	}
	checks.ok("inclusion-proof-equals-go")
	return p
}

func (l *ledger) inclusionProofs() {
	// Every index at the current size, also proved by Go through the tiles.
	for i := int64(0); i < l.n; i++ {
		p := l.inclusion(i, l.n, l.cp.tree.Hash)
		fromTiles, err := tlog.ProveRecord(l.n, i, l.thr)
		if err != nil {
			fail("tlog.ProveRecord(%d, %d) over the tiles: %v", l.n, i, err)
		}
		if !sameHashes(p, fromTiles) {
			fail("index %d: ledger proof %s, tlog.ProveRecord over the tiles %s", i, showHashes(p), showHashes(fromTiles))
		}
		checks.ok("inclusion-proof-from-tiles")
	}
	// Earlier sizes: a spread of indices against Go's root of that size.
	for _, s := range l.sizes() {
		if s == l.n {
			continue
		}
		root := l.rootAt(s)
		seen := map[int64]bool{}
		for _, i := range []int64{0, 1, s / 3, s / 2, s - 2, s - 1, 7919 % s} {
			if i >= 0 && i < s && !seen[i] {
				seen[i] = true
				l.inclusion(i, s, root)
			}
		}
	}
}

func (l *ledger) consistency(old, new int64, oldRoot, newRoot tlog.Hash, viaTiles bool) {
	path := fmt.Sprintf("/v1/proof/consistency?old=%d&new=%d", old, new)
	var a consistencyAnswer
	l.c.getJSON(path, &a)
	if a.Old == nil || *a.Old != old || a.New == nil || *a.New != new || a.Proof == nil {
		fail("GET %s: old/new/consistencyProof missing or not echoed", path)
	}
	p := hashes(*a.Proof)
	if old == 0 {
		if len(p) != 0 {
			fail("GET %s: a proof from the empty tree must be empty, got %s", path, showHashes(p))
		}
		checks.ok("consistency-proof")
		return
	}
	if err := tlog.CheckTree(p, new, newRoot, old, oldRoot); err != nil {
		fail("GET %s: tlog.CheckTree refuses the ledger's proof: %v (proof %s)", path, err, showHashes(p))
	}
	checks.ok("consistency-proof")
	mine, err := tlog.ProveTree(new, old, l.mem)
	if err != nil {
		fail("tlog.ProveTree(%d, %d): %v", new, old, err)
	}
	if !sameHashes(p, mine) {
		fail("GET %s: ledger proof %s, tlog.ProveTree gives %s", path, showHashes(p), showHashes(mine))
	}
	checks.ok("consistency-proof-equals-go")
	if viaTiles {
		fromTiles, err := tlog.ProveTree(new, old, l.thr)
		if err != nil {
			fail("tlog.ProveTree(%d, %d) over the tiles: %v", new, old, err)
		}
		if !sameHashes(p, fromTiles) {
			fail("GET %s: ledger proof %s, tlog.ProveTree over the tiles %s", path, showHashes(p), showHashes(fromTiles))
		}
		checks.ok("consistency-proof-from-tiles")
	}
}

func (l *ledger) consistencyProofs() {
	// Every old size into the current tree.
	for old := int64(0); old <= l.n; old++ {
		var root tlog.Hash
		if old > 0 {
			root = l.rootAt(old)
		}
		l.consistency(old, l.n, root, l.cp.tree.Hash, true)
	}
	// Pairs of earlier sizes.
	ss := l.sizes()
	for i, a := range ss {
		for _, b := range ss[i+1:] {
			if b != l.n {
				l.consistency(a, b, l.rootAt(a), l.rootAt(b), false)
			}
		}
	}
}

// entryEndpoint: GET /v1/entries/{i} holds the bundle's bytes exactly, its
// leaf hash, and an inclusion proof against the checkpoint it carries.
func (l *ledger) entryEndpoint() {
	for i := int64(0); i < l.n; i++ {
		path := fmt.Sprintf("/v1/entries/%d", i)
		var a entryAnswer
		l.c.getJSON(path, &a)
		if a.Index == nil || *a.Index != i || a.TreeSize == nil {
			fail("GET %s: index/treeSize missing", path)
		}
		if !bytes.Equal(a.Entry, l.entries[i]) {
			fail("GET %s: entry %s differs from the bundle's bytes %s", path, trunc(a.Entry), trunc(l.entries[i]))
		}
		leaf := tlog.RecordHash(l.entries[i])
		if tlog.Hash(a.LeafHash) != leaf {
			fail("GET %s: leafHash %s, tlog.RecordHash = %s", path, tlog.Hash(a.LeafHash), leaf)
		}
		cp, err := openCheckpoint([]byte(a.Checkpoint), l.v)
		if err != nil {
			fail("GET %s: its checkpoint: %v", path, err)
		}
		if cp.tree.N != *a.TreeSize {
			fail("GET %s: treeSize %d, its checkpoint has size %d", path, *a.TreeSize, cp.tree.N)
		}
		if err := tlog.CheckRecord(hashes(a.Proof), cp.tree.N, cp.tree.Hash, i, leaf); err != nil {
			fail("GET %s: tlog.CheckRecord: %v", path, err)
		}
		checks.ok("entry-endpoint")
	}
}

// receipts: every answer to a submission. Its checkpoint verifies with
// note.Open, its root is what Go computes now for that size from today's
// entries (the log only grew), its inclusion proof passes tlog.CheckRecord,
// the entry at its index is the submitted document, and each distinct
// checkpoint is proved consistent with the current one.
func (l *ledger) receipts(file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		fail("%v", err)
	}
	seenIndex := map[int64]string{}
	seenCP := map[int64]checkpoint{}
	for ln, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rl receiptLine
		var r receipt
		if err := json.Unmarshal(line, &rl); err != nil {
			fail("%s:%d: %v", file, ln+1, err)
		}
		if err := json.Unmarshal(rl.Receipt, &r); err != nil || r.Index == nil || r.TreeSize == nil {
			fail("%s:%d: not a receipt (%v): %s", file, ln+1, err, trunc(rl.Receipt))
		}
		where := fmt.Sprintf("receipt for %s (%s:%d)", rl.File, file, ln+1)
		i := *r.Index
		if prev, dup := seenIndex[i]; dup {
			fail("%s: index %d was also given to %s", where, i, prev)
		}
		seenIndex[i] = rl.File
		cp, err := openCheckpoint([]byte(r.Checkpoint), l.v)
		if err != nil {
			fail("%s: checkpoint: %v", where, err)
		}
		if cp.tree.N != *r.TreeSize || i >= cp.tree.N || cp.tree.N > l.n {
			fail("%s: index %d, treeSize %d, checkpoint size %d, log size %d", where, i, *r.TreeSize, cp.tree.N, l.n)
		}
		if root := l.rootAt(cp.tree.N); root != cp.tree.Hash {
			fail("%s: its signed root of size %d is %s, Go computes %s from the log's entries now", where, cp.tree.N, cp.tree.Hash, root)
		}
		leaf := tlog.RecordHash(l.entries[i])
		if tlog.Hash(r.LeafHash) != leaf {
			fail("%s: leafHash %s, entry %d has tlog.RecordHash %s", where, tlog.Hash(r.LeafHash), i, leaf)
		}
		if err := tlog.CheckRecord(hashes(r.Proof), cp.tree.N, cp.tree.Hash, i, leaf); err != nil {
			fail("%s: tlog.CheckRecord: %v", where, err)
		}
		doc, err := os.ReadFile(rl.File)
		if err != nil {
			fail("%s: %v", where, err)
		}
		var submitted, stored interface{}
		if json.Unmarshal(doc, &submitted) != nil || json.Unmarshal(l.entries[i], &stored) != nil || !reflect.DeepEqual(submitted, stored) {
			fail("%s: entry %d is not the submitted document: %s", where, i, trunc(l.entries[i]))
		}
		checks.ok("receipt")
		if prev, ok := seenCP[cp.tree.N]; ok && prev.tree.Hash != cp.tree.Hash {
			fail("%s: two signed checkpoints of size %d with different roots", where, cp.tree.N)
		}
		seenCP[cp.tree.N] = cp
	}
	for _, cp := range seenCP {
		l.consistency(cp.tree.N, l.n, cp.tree.Hash, l.cp.tree.Hash, true)
	}
	checks.ok("receipt-checkpoints")
	fmt.Printf("tlog-go: %s: %d receipts, %d distinct signed checkpoints\n", filepath.Base(file), len(seenIndex), len(seenCP))
}

// previous: the checkpoint kept by an earlier run is consistent with this one.
func (l *ledger) previous(dir string) {
	if dir == "" {
		return
	}
	raw, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		fail("%v", err)
	}
	old, err := openCheckpoint(raw, l.v)
	if err != nil {
		fail("the kept checkpoint: %v", err)
	}
	if old.tree.N > l.n {
		fail("the log shrank: kept checkpoint size %d, now %d", old.tree.N, l.n)
	}
	if old.tree.N > 0 {
		if root := l.rootAt(old.tree.N); root != old.tree.Hash {
			fail("kept checkpoint (size %d, root %s): Go computes %s from today's entries", old.tree.N, old.tree.Hash, root)
		}
	} else if old.tree.Hash != tlog.Hash(sha256.Sum256(nil)) {
		fail("kept empty checkpoint: root %s is not SHA-256(\"\")", old.tree.Hash)
	}
	l.consistency(old.tree.N, l.n, old.tree.Hash, l.cp.tree.Hash, true)
	checks.ok("previous-checkpoint")
	fmt.Printf("tlog-go: consistent with the kept checkpoint of size %d\n", old.tree.N)
}

func (l *ledger) saveState(dir string) {
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fail("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "checkpoint"), l.cp.raw, 0o644); err != nil {
		fail("%v", err)
	}
}

// notYet: tiles and proofs beyond the tree are refused (404 / 400).
func (l *ledger) notYet() {
	expect := func(path string, want int) {
		status, b, _ := l.c.do("GET", path, nil)
		if status != want {
			fail("GET %s: status %d, wanted %d (beyond the tree of size %d): %s", path, status, want, l.n, trunc(b))
		}
		checks.ok("beyond-the-tree")
	}
	next := tlog.Tile{H: height, L: 0, N: l.n / width, W: int(l.n%width) + 1}
	if next.W == width {
		next = tlog.Tile{H: height, L: 0, N: l.n/width + 1, W: 1}
	}
	expect(tilePath(next), 404)
	expect(entriesPath(next), 404)
	expect(tilePath(tlog.Tile{H: height, L: 1, N: l.n / (width * width), W: int(l.n/width%width) + 1}), 404)
	expect(fmt.Sprintf("/v1/proof/inclusion?index=%d&size=%d", l.n, l.n+1), 400)
	expect(fmt.Sprintf("/v1/proof/consistency?old=%d&new=%d", l.n, l.n+1), 400)
	expect(fmt.Sprintf("/v1/entries/%d", l.n), 404)
}

// --- negative self-tests: the Go checks must refuse one flipped byte --------

func (l *ledger) negativeCheckpoint() {
	text := bytes.Index(l.cp.raw, []byte("\n\n"))
	for _, i := range []int{len(l.cp.origin) + 1, text - 2, len(l.cp.raw) - 10} {
		bad := flip(l.cp.raw, i)
		if _, err := openCheckpoint(bad, l.v); err == nil {
			fail("self-test: a checkpoint with byte %d flipped still verifies: the check is vacuous", i)
		}
		checks.ok("negative")
	}
	// A verifier key of another log (same name, other key) must not open it.
	_, other, err := note.GenerateKey(zeroReader{}, l.v.Name())
	if err != nil {
		fail("note.GenerateKey: %v", err)
	}
	ov, err := note.NewVerifier(other)
	if err != nil {
		fail("%v", err)
	}
	if _, err := openCheckpoint(l.cp.raw, ov); err == nil {
		fail("self-test: the checkpoint verifies under another key")
	}
	checks.ok("negative")
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 7
	}
	return len(p), nil
}

func (l *ledger) negative() {
	l.negativeCheckpoint()

	// A tile with one byte flipped in hash j: proving leaf j's sibling through
	// the tiles either fails in tlog.TileHashReader or yields a proof that
	// tlog.CheckRecord refuses against the signed root. (TileHashReader alone
	// is not enough: see the README on its parent authentication.)
	for _, target := range []struct {
		level int
		n     int64
		j     int
	}{
		{0, 0, 1},                 // the first level-0 tile, hash 1
		{0, 0, 0},                 // the first level-0 tile, hash 0
		{0, (l.n - 1) / width, 0}, // the last level-0 tile (partial unless n is a multiple of 256)
		{1, 0, 0},                 // level 1, when the log has one
	} {
		target := target
		span := int64(1) << uint(height*target.level)
		hashIndex := target.n*width + int64(target.j)
		sibling := (hashIndex ^ 1) * span
		if sibling >= l.n || (hashIndex+1)*span > l.n {
			continue
		}
		bad := &tileServer{c: l.c, cache: l.tiles.cache, tamper: func(t tlog.Tile, d []byte) []byte {
			if t.L == target.level && t.N == target.n {
				return flip(d, target.j*tlog.HashSize+5)
			}
			return d
		}}
		thr := tlog.TileHashReader(l.cp.tree, bad)
		p, err := tlog.ProveRecord(l.n, sibling, thr)
		if err == nil && tlog.CheckRecord(p, l.n, l.cp.tree.Hash, sibling, tlog.RecordHash(l.entries[sibling])) == nil {
			fail("self-test: tile L=%d N=%d with hash %d flipped still proves leaf %d", target.level, target.n, target.j, sibling)
		}
		checks.ok("negative")
	}

	// A ledger inclusion proof with one byte flipped, or for another index.
	i := l.n / 2
	var a inclusionAnswer
	l.c.getJSON(fmt.Sprintf("/v1/proof/inclusion?index=%d&size=%d", i, l.n), &a)
	p := hashes(a.Proof)
	leaf := tlog.RecordHash(l.entries[i])
	if len(p) == 0 {
		fail("self-test: the inclusion proof of %d in %d is empty", i, l.n)
	}
	for k := range p {
		q := append([]tlog.Hash(nil), p...)
		q[k][k%32] ^= 0x80
		if tlog.CheckRecord(q, l.n, l.cp.tree.Hash, i, leaf) == nil {
			fail("self-test: tlog.CheckRecord accepts proof element %d with one byte flipped", k)
		}
		checks.ok("negative")
	}
	if l.n > 1 {
		other := (i + 1) % l.n
		if tlog.CheckRecord(p, l.n, l.cp.tree.Hash, other, tlog.RecordHash(l.entries[other])) == nil {
			fail("self-test: the proof of entry %d also proves entry %d", i, other)
		}
		checks.ok("negative")
	}
	// An entry with one byte flipped no longer has the tile's leaf hash.
	if tlog.RecordHash(flip(l.entries[i], len(l.entries[i])/2)) == leaf {
		fail("self-test: a flipped entry keeps its leaf hash")
	}
	checks.ok("negative")

	// A consistency proof with one byte flipped.
	old := l.n/2 + 1
	if old >= l.n {
		return
	}
	var c consistencyAnswer
	l.c.getJSON(fmt.Sprintf("/v1/proof/consistency?old=%d&new=%d", old, l.n), &c)
	cp := hashes(*c.Proof)
	oldRoot := l.rootAt(old)
	for k := range cp {
		q := append([]tlog.Hash(nil), cp...)
		q[k][31-k%32] ^= 0x01
		if tlog.CheckTree(q, l.n, l.cp.tree.Hash, old, oldRoot) == nil {
			fail("self-test: tlog.CheckTree accepts consistency element %d with one byte flipped", k)
		}
		checks.ok("negative")
	}
	wrongOld := oldRoot
	wrongOld[0] ^= 0x01
	if tlog.CheckTree(cp, l.n, l.cp.tree.Hash, old, wrongOld) == nil {
		fail("self-test: tlog.CheckTree accepts a wrong old root")
	}
	checks.ok("negative")
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: checker submit|check ...")
	}
	switch os.Args[1] {
	case "submit":
		submit(os.Args[2:])
	case "check":
		check(os.Args[2:])
	default:
		fail("unknown command %q (submit or check)", os.Args[1])
	}
}
