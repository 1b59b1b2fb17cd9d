package mql

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The lexer. A word is anything up to whitespace, a quote, a parenthesis, a
// comma or an operator character, so that values such as no-data-for,
// static.example.com and 10.244.37.14:9403 need no quotes. Words that spell
// a keyword, in any case, become keywords.
var lexDef = lexer.MustSimple([]lexer.SimpleRule{
	{Name: "String", Pattern: `"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'`},
	{Name: "Op", Pattern: `=~|!~|!=|<=|>=|=|<|>`},
	{Name: "Punct", Pattern: `[(),~]`},
	{Name: "Word", Pattern: `[^\s"'(),=!<>~]+`},
	{Name: "Whitespace", Pattern: `\s+`},
})

var (
	wordType       = lexDef.Symbols()["Word"]
	stringType     = lexDef.Symbols()["String"]
	opType         = lexDef.Symbols()["Op"]
	whitespaceType = lexDef.Symbols()["Whitespace"]
	keywordType    = lexer.TokenType(-100) // not produced by lexDef itself
	bareWord       = regexp.MustCompile(`^[^\s"'(),=!<>~]+$`)
)

var keywords = []string{"AND", "OR", "NOT", "IN"}

func isKeyword(w string) bool {
	for _, k := range keywords {
		if strings.EqualFold(w, k) {
			return true
		}
	}
	return false
}

func isBareWord(s string) bool { return bareWord.MatchString(s) }

// The grammar, as participle structs. The package doc shows it as EBNF.
type query struct {
	Or *disjunction `parser:"@@?"`
}

type disjunction struct {
	Terms []*conjunction `parser:"@@ ( \"OR\" @@ )*"`
}

type conjunction struct {
	Terms []*negation `parser:"@@ ( \"AND\" @@ )*"`
}

type negation struct {
	Not  *negation `parser:"  \"NOT\" @@"`
	Prim *primary  `parser:"| @@"`
}

type primary struct {
	Group *disjunction `parser:"  \"(\" @@ \")\""`
	Pred  *predicate   `parser:"| @@"`
}

type predicate struct {
	Pos   lexer.Position
	Tilde bool        `parser:"@\"~\"?"`
	Name  string      `parser:"@(Word | String)"`
	Cmp   *comparison `parser:"( @@"`
	In    *inList     `parser:"| @@ )"`
}

type comparison struct {
	Pos   lexer.Position
	Op    string `parser:"@Op"`
	Value *value `parser:"@@"`
}

type inList struct {
	Pos    lexer.Position
	Not    bool     `parser:"@\"NOT\"? \"IN\""`
	Values []*value `parser:"\"(\" @@ ( \",\" @@ )* \")\""`
}

type value struct {
	Pos  lexer.Position
	Text string `parser:"@(Word | String)"`
}

var grammar = participle.MustBuild[query](
	participle.Lexer(lexDef),
	participle.Elide("Whitespace"),
	participle.Map(func(t lexer.Token) (lexer.Token, error) {
		if isKeyword(t.Value) {
			t.Type = keywordType
			t.Value = strings.ToUpper(t.Value)
		}
		return t, nil
	}, "Word"),
	participle.UseLookahead(2),
)

// Grammar returns the grammar of MQL in EBNF.
func Grammar() string { return grammar.String() }

// Position is a place in a query: a byte offset, and a line and a column
// (in characters) from 1.
type Position struct {
	Offset, Line, Column int
}

// String returns "line:column".
func (p Position) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Column) }

func posOf(p lexer.Position) Position {
	return Position{Offset: p.Offset, Line: p.Line, Column: p.Column}
}

// ParseError is a query that does not parse or compile, with the place where
// it goes wrong: "1:27: expected a value after \"=~\", got end of query".
type ParseError struct {
	Pos Position
	Msg string
}

// Error returns "line:column: message", or the message alone for an error
// without a position, in a query that was not parsed from text.
func (e *ParseError) Error() string {
	if e.Pos.Line == 0 {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

func errorAt(p lexer.Position, format string, args ...any) *ParseError {
	return &ParseError{Pos: posOf(p), Msg: fmt.Sprintf(format, args...)}
}

// Parser parses and compiles queries. Its zero value is ready to use, with
// the default mapping of fields to labels.
//
// A Parser may be used by many goroutines at once, but FieldLabels must not
// change while it is in use.
type Parser struct {
	// FieldLabels replaces, field by field, the labels a built-in field is
	// read from when a subject does not supply it; the first label that is
	// set wins. The defaults: trigger from trigger, else alertname; project
	// from project, else namespace; severity from severity_level;
	// service_level, assignee and team from labels of the same name; state,
	// status and age from none.
	FieldLabels map[Field][]string
}

// Parse parses and compiles a query with the default Parser. An empty query
// matches everything.
func Parse(query string) (*Query, error) { return (&Parser{}).Parse(query) }

// MustParse is Parse for queries known to be valid; it panics on an error.
func MustParse(query string) *Query {
	q, err := Parse(query)
	if err != nil {
		panic(err)
	}
	return q
}

// Limits on queries, which may come from outside: a search box, an API.
const (
	// MaxQueryBytes is the longest query accepted.
	MaxQueryBytes = 64 << 10
	// MaxDepth is the deepest nesting accepted, of parentheses and of NOT
	// in a row.
	MaxDepth = 100
	// MaxQueryCost is the most a query may cost to compile and to match.
	// The cost is counted as the query compiles, each part before the work
	// it stands for, and a query that crosses the limit is refused with a
	// *ParseError at the predicate that crossed it, which names the
	// costliest regular expression.
	//
	// Every predicate costs 1. A regular expression costs, in addition, 1
	// per instruction of the program it expands to, with repeat counts
	// multiplied out (x{3} is three copies of x); 1 per 10 ranges of
	// characters that those instructions test; and 100 per Unicode class
	// that it names, such as \pL, which the parser reads from Unicode's
	// tables. So checkout|payments|cart costs 28, db-[0-9]+\.prod 16,
	// \pL{1,64} (up to 64 letters, a class of 659 ranges, in 133
	// instructions) 4450, and \pL{1000} 67006: a query may hold one
	// \pL{1000}, not two.
	//
	// Compiling a query of that cost takes tens of milliseconds, less than
	// parsing the longest query does. No query of at most MaxQueryBytes
	// reaches the limit without regular expressions, or with regular
	// expressions that have no repeat counts and name no Unicode classes:
	// those cost less than 2 per byte.
	MaxQueryCost = 2 * MaxQueryBytes
)

// Parse parses and compiles a query. Errors are *ParseError.
func (p *Parser) Parse(query string) (*Query, error) {
	if len(query) > MaxQueryBytes {
		return nil, &ParseError{Pos: Position{Line: 1, Column: 1}, Msg: fmt.Sprintf("query of %d bytes is longer than the limit of %d", len(query), MaxQueryBytes)}
	}
	if err := checkDepth(query); err != nil {
		return nil, err
	}
	g, err := grammar.ParseString("", query)
	if err != nil {
		if pe := diagnose(query); pe != nil {
			return nil, pe
		}
		if perr, ok := err.(participle.Error); ok {
			return nil, errorAt(perr.Position(), "%s", perr.Message())
		}
		return nil, &ParseError{Msg: err.Error()}
	}
	b := builder{positions: map[*Predicate]*predicate{}}
	var expr Expr
	if g.Or != nil {
		if expr, err = b.or(g.Or); err != nil {
			return nil, err
		}
	}
	return p.compile(expr, b.positions)
}

// builder turns the participle tree into an Expr, keeping the position of
// every predicate for the compiler's errors.
type builder struct {
	positions map[*Predicate]*predicate
}

func (b *builder) or(g *disjunction) (Expr, error) {
	var terms []Expr
	for _, t := range g.Terms {
		e, err := b.and(t)
		if err != nil {
			return nil, err
		}
		if o, ok := e.(*Or); ok {
			terms = append(terms, o.Terms...)
		} else {
			terms = append(terms, e)
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &Or{Terms: terms}, nil
}

func (b *builder) and(g *conjunction) (Expr, error) {
	var terms []Expr
	for _, t := range g.Terms {
		e, err := b.not(t)
		if err != nil {
			return nil, err
		}
		if a, ok := e.(*And); ok {
			terms = append(terms, a.Terms...)
		} else {
			terms = append(terms, e)
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return &And{Terms: terms}, nil
}

func (b *builder) not(g *negation) (Expr, error) {
	if g.Not != nil {
		e, err := b.not(g.Not)
		if err != nil {
			return nil, err
		}
		return &Not{Term: e}, nil
	}
	if g.Prim.Group != nil {
		return b.or(g.Prim.Group)
	}
	return b.pred(g.Prim.Pred)
}

func (b *builder) pred(g *predicate) (Expr, error) {
	p := &Predicate{Name: g.Name, Label: g.Tilde}
	if isQuoted(g.Name) {
		name, err := unquote(g.Name)
		if err != nil {
			return nil, errorAt(g.Pos, "%s", err)
		}
		p.Name, p.Label = name, true
	} else if _, field := ParseField(g.Name); !field {
		p.Label = true
	}
	if p.Label && p.Name == "" {
		return nil, errorAt(g.Pos, "empty label name")
	}
	if p.Label && !utf8.ValidString(p.Name) {
		return nil, errorAt(g.Pos, "label name is not valid UTF-8")
	}
	values := []*value{}
	if g.Cmp != nil {
		p.Op = parseOp(g.Cmp.Op)
		values = append(values, g.Cmp.Value)
	} else {
		p.Op = OpIn
		if g.In.Not {
			p.Op = OpNotIn
		}
		values = g.In.Values
	}
	for _, v := range values {
		text := v.Text
		if isQuoted(text) {
			var err error
			if text, err = unquote(text); err != nil {
				return nil, errorAt(v.Pos, "%s", err)
			}
		}
		p.Values = append(p.Values, text)
	}
	b.positions[p] = g
	return p, nil
}

func parseOp(s string) Op {
	for op, text := range opText {
		if text == s {
			return Op(op)
		}
	}
	return 0
}

func isQuoted(s string) bool { return s != "" && (s[0] == '"' || s[0] == '\'') }

// unquote reads a string literal in double or single quotes, with the escapes
// of Go's string literals (\" and \' both work in either).
func unquote(lit string) (string, error) {
	quote := lit[0]
	s := lit[1 : len(lit)-1]
	var b strings.Builder
	for s != "" {
		r, multibyte, tail, err := strconv.UnquoteChar(s, quote)
		if err != nil {
			if s[0] == '\\' && len(s) > 1 && (s[1] == '"' || s[1] == '\'') {
				b.WriteByte(s[1]) // the other quote, escaped
				s = s[2:]
				continue
			}
			return "", fmt.Errorf("invalid escape in string %s", lit)
		}
		if multibyte {
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r)) // \xff and octal escapes are bytes
		}
		s = tail
	}
	return b.String(), nil
}

// checkDepth refuses a query nested deeper than MaxDepth, before the
// recursive parser sees it.
func checkDepth(query string) *ParseError {
	toks, err := tokens(query)
	if err != nil {
		return err
	}
	parens, nots := 0, 0
	for _, t := range toks {
		switch {
		case t.Type == keywordType && t.Value == "NOT":
			nots++
		case t.Value == "(" && t.Type != stringType:
			parens++
			nots = 0
		case t.Value == ")" && t.Type != stringType:
			parens--
		default:
			nots = 0
		}
		if parens > MaxDepth || nots > MaxDepth {
			return errorAt(t.Pos, "nested deeper than the limit of %d", MaxDepth)
		}
	}
	return nil
}
