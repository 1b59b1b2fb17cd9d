package mql

import (
	"strconv"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// diagnose finds the first place where query departs from the grammar and
// says what was expected there, in terms of the query rather than of the
// grammar's rules. It walks the tokens with the same states as the grammar
// (a test checks that the two accept the same queries), and returns nil for
// a query that parses.
func diagnose(query string) *ParseError {
	toks, lexErr := tokens(query)
	if lexErr != nil {
		return lexErr
	}
	const (
		stSubject   = iota // a field or label, NOT, "(" or "~"
		stLabel            // the label name after "~"
		stOp               // an operator after the subject
		stNotIn            // IN after NOT
		stInOpen           // "(" after IN
		stListValue        // a value of the IN list
		stListNext         // "," or ")" in the IN list
		stValue            // the value after an operator
		stNext             // AND, OR, ")" or the end
	)
	st, depth := stSubject, 0
	var prev, subject lexer.Token
	start := true
	for _, t := range toks {
		kw := t.Type == keywordType
		isValue := t.Type == wordType || isString(t)
		switch st {
		case stSubject:
			switch {
			case start && t.EOF():
				return nil // the empty query
			case t.Value == "(" && !isString(t):
				depth++
			case kw && t.Value == "NOT":
			case t.Value == "~" && !isString(t):
				st = stLabel
			case isValue:
				st, subject = stOp, t
			default:
				after := ""
				if !start {
					after = " after " + describe(prev)
				}
				return errorAt(t.Pos, "expected a field or label%s, got %s", after, describe(t))
			}
		case stLabel:
			if !isValue {
				return errorAt(t.Pos, "expected a label name after \"~\", got %s", describe(t))
			}
			st, subject = stOp, t
		case stOp:
			switch {
			case t.Type == opType:
				st = stValue
			case kw && t.Value == "NOT":
				st = stNotIn
			case kw && t.Value == "IN":
				st = stInOpen
			default:
				return errorAt(t.Pos, "expected an operator after %s (=, !=, =~, !~, <, <=, >, >=, IN or NOT IN), got %s",
					describe(subject), describe(t))
			}
		case stNotIn:
			if !kw || t.Value != "IN" {
				return errorAt(t.Pos, "expected IN after NOT, got %s", describe(t))
			}
			st = stInOpen
		case stInOpen:
			if t.Value != "(" || isString(t) {
				return errorAt(t.Pos, "expected \"(\" after IN, got %s", describe(t))
			}
			st = stListValue
		case stListValue:
			if !isValue {
				return errorAt(t.Pos, "expected a value in the IN list, got %s%s", describe(t), quoteHint(t))
			}
			st = stListNext
		case stListNext:
			switch {
			case t.Value == "," && !isString(t):
				st = stListValue
			case t.Value == ")" && !isString(t):
				st = stNext
			default:
				return errorAt(t.Pos, "expected \",\" or \")\" in the IN list, got %s", describe(t))
			}
		case stValue:
			if !isValue {
				return errorAt(t.Pos, "expected a value after %s, got %s%s", describe(prev), describe(t), quoteHint(t))
			}
			st = stNext
		case stNext:
			switch {
			case kw && (t.Value == "AND" || t.Value == "OR"):
				st = stSubject
			case t.Value == ")" && !isString(t) && depth > 0:
				depth--
			case t.EOF() && depth == 0:
				return nil
			case t.EOF():
				return errorAt(t.Pos, "expected \")\", got end of query")
			case depth > 0:
				return errorAt(t.Pos, "expected AND, OR or \")\", got %s", describe(t))
			default:
				return errorAt(t.Pos, "expected AND, OR or end of query, got %s", describe(t))
			}
		}
		prev, start = t, false
	}
	return nil
}

// tokens lexes query, keywords marked, up to and including the EOF token.
func tokens(query string) ([]lexer.Token, *ParseError) {
	lex, err := lexDef.LexString("", query)
	if err != nil {
		return nil, &ParseError{Msg: err.Error()}
	}
	var toks []lexer.Token
	for {
		t, err := lex.Next()
		if err != nil {
			pos := lexer.Position{Line: 1, Column: 1}
			if le, ok := err.(*lexer.Error); ok {
				pos = le.Pos
			}
			return nil, lexError(query, pos)
		}
		if t.Type == whitespaceType {
			continue
		}
		if t.Type == wordType && isKeyword(t.Value) {
			t.Type, t.Value = keywordType, strings.ToUpper(t.Value)
		}
		toks = append(toks, t)
		if t.EOF() {
			return toks, nil
		}
	}
}

// lexError explains the character at pos that starts no token: an
// unterminated string, or a "!" that is not part of != or !~.
func lexError(query string, pos lexer.Position) *ParseError {
	rest := ""
	if pos.Offset < len(query) {
		rest = query[pos.Offset:]
	}
	switch {
	case strings.HasPrefix(rest, `"`), strings.HasPrefix(rest, `'`):
		return errorAt(pos, "unterminated string: no closing %s", rest[:1])
	case strings.HasPrefix(rest, "!"):
		return errorAt(pos, "unexpected \"!\": the operators are != and !~, and negation is NOT")
	}
	r := []rune(rest)
	if len(r) == 0 {
		return errorAt(pos, "unexpected end of query")
	}
	return errorAt(pos, "unexpected character %q", r[0])
}

func isString(t lexer.Token) bool { return t.Type == stringType }

// describe names a token in an error message.
func describe(t lexer.Token) string {
	switch {
	case t.EOF():
		return "end of query"
	case t.Type == keywordType:
		return t.Value
	case isString(t):
		return t.Value
	}
	return strconv.Quote(t.Value)
}

// quoteHint suggests quoting a keyword that was meant as a value.
func quoteHint(t lexer.Token) string {
	if t.Type != keywordType {
		return ""
	}
	return " (to compare with the word, quote it: \"" + strings.ToLower(t.Value) + "\")"
}
