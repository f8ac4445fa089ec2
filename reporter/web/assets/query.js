// assay's query language in the browser: the --where (and --sort)
// expressions of `assay ls`, which assay evaluates in Go with
// expr-lang/expr. This is a small evaluator of the same grammar, for the
// results site's search page, where no Go runs. It keeps expr's
// semantics where a search can tell them apart, and the Go tests run the
// same expressions through both and compare every verdict
// (reporter/site/query_parity_test.go).
//
// Supported: literals (numbers, strings, true, false, nil, [lists]); the
// run's fields (schema); member access (params.lr, metrics["val_acc"],
// ?.); operators not ! - + * / % ** ^ == != < > <= >= (chained) and &&
// or || in, not in, matches, contains, startsWith, endsWith (each with
// not), ?? and ?:; the functions len abs ceil floor round min max lower
// upper trim trimPrefix trimSuffix hasPrefix hasSuffix int float string
// now date; and the time methods Year Month Day Hour Minute Second
// Weekday YearDay Unix UnixMilli Before After Equal Sub. Anything else
// is refused with an error that says so, never evaluated differently.
//
// As in assay ls: a run that lacks a field an expression reads (a metric
// it never logged) makes the expression fail for that run, and the run
// is skipped, not matched.
(function (global) {
  'use strict';

  // ---- values ---------------------------------------------------------------

  // T is a time (milliseconds since 1970, UTC); D a duration (milliseconds).
  function T(ms) { this.ms = ms; }
  function D(ms) { this.ms = ms; }

  function QueryError(message, pos) {
    this.message = message;
    this.pos = pos;
  }
  QueryError.prototype.toString = function () { return this.message; };

  // RunError is an expression that fails for one run: the run is skipped.
  function RunError(message) { this.message = message; }
  RunError.prototype.toString = function () { return this.message; };

  function typeName(v) {
    if (v === null || v === undefined) return '<nil>';
    if (typeof v === 'number') return Number.isInteger(v) ? 'number' : 'float64';
    if (typeof v === 'string') return 'string';
    if (typeof v === 'boolean') return 'bool';
    if (v instanceof T) return 'time.Time';
    if (v instanceof D) return 'time.Duration';
    if (Array.isArray(v)) return '[]interface {}';
    return 'map[string]interface {}';
  }

  function fail(msg) { throw new RunError(msg); }

  function isMap(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof T) && !(v instanceof D);
  }

  function equal(a, b) {
    if (a === undefined) a = null;
    if (b === undefined) b = null;
    if (a === null || b === null) return a === b;
    if (typeof a === 'number' && typeof b === 'number') return a === b;
    if (a instanceof T && b instanceof T) return a.ms === b.ms;
    if (a instanceof D && b instanceof D) return a.ms === b.ms;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!strictEqual(a[i], b[i])) return false;
      return true;
    }
    if (isMap(a) && isMap(b)) {
      var ka = Object.keys(a), kb = Object.keys(b);
      if (ka.length !== kb.length) return false;
      for (var k = 0; k < ka.length; k++) {
        if (!Object.prototype.hasOwnProperty.call(b, ka[k]) || !strictEqual(a[ka[k]], b[ka[k]])) return false;
      }
      return true;
    }
    return a === b;
  }

  // strictEqual is reflect.DeepEqual inside lists and maps: values of
  // one JSON record are equal only when they are the same.
  function strictEqual(a, b) {
    if (typeof a === 'number' || typeof b === 'number') return a === b;
    return equal(a, b);
  }

  function order(op, a, b) {
    if (typeof a === 'number' && typeof b === 'number') return cmp(op, a, b);
    if (typeof a === 'string' && typeof b === 'string') return cmp(op, a, b);
    if (a instanceof T && b instanceof T) return cmp(op, a.ms, b.ms);
    if (a instanceof D && b instanceof D) return cmp(op, a.ms, b.ms);
    return fail('invalid operation: ' + typeName(a) + ' ' + op + ' ' + typeName(b));
  }

  function cmp(op, a, b) {
    switch (op) {
      case '<': return a < b;
      case '>': return a > b;
      case '<=': return a <= b;
      default: return a >= b;
    }
  }

  function arith(op, a, b, ints) {
    var an = typeof a === 'number', bn = typeof b === 'number';
    switch (op) {
      case '+':
        if (an && bn) return a + b;
        if (typeof a === 'string' && typeof b === 'string') return a + b;
        if (a instanceof T && b instanceof D) return new T(a.ms + b.ms);
        if (a instanceof D && b instanceof T) return new T(a.ms + b.ms);
        if (a instanceof D && b instanceof D) return new D(a.ms + b.ms);
        break;
      case '-':
        if (an && bn) return a - b;
        if (a instanceof T && b instanceof T) return new D(a.ms - b.ms);
        if (a instanceof T && b instanceof D) return new T(a.ms - b.ms);
        if (a instanceof D && b instanceof D) return new D(a.ms - b.ms);
        break;
      case '*':
        if (an && bn) return a * b;
        if (an && b instanceof D) return new D(a * b.ms);
        if (a instanceof D && bn) return new D(a.ms * b);
        break;
      case '/':
        if (an && bn) return a / b;
        break;
      case '%':
        // Numbers a record holds are float64 in Go, and % takes integers:
        // only the run's integer fields and integer literals qualify.
        if (an && bn && ints) {
          if (b === 0) fail('integer divide by zero');
          return a % b;
        }
        if (an && bn) fail('invalid operation: float64 % int');
        break;
      case '**':
      case '^':
        if (an && bn) return Math.pow(a, b);
        break;
    }
    return fail('invalid operation: ' + typeName(a) + ' ' + op + ' ' + typeName(b));
  }

  function bool(v, what) {
    if (v === true || v === false) return v;
    return fail('invalid operation: ' + what + ' (' + typeName(v) + ')');
  }

  function str(v, op) {
    if (typeof v === 'string') return v;
    return fail('invalid operation: ' + op + ' on ' + typeName(v));
  }

  // ---- lexer ----------------------------------------------------------------

  var WORDS = { and: 1, or: 1, not: 1, in: 1, matches: 1, contains: 1, startsWith: 1, endsWith: 1 };
  var OPS = ['**', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '..', '::', '+', '-', '*', '/', '%', '^', '<', '>', '!', '?', ':', '.', ',', '(', ')', '[', ']', '{', '}', '|', ';', '#', '=', '$'];

  function lex(src) {
    var out = [], i = 0;
    while (i < src.length) {
      var c = src[i];
      if (/\s/.test(c)) { i++; continue; }
      var start = i;
      if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] || ''))) {
        var m = /^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?|\.[0-9_]+([eE][+-]?[0-9_]+)?)/.exec(src.slice(i));
        // "1..3" is a range, not the float "1." and ".3".
        var text = m[0];
        if (/\.$/.test(text) && src[i + text.length] === '.') text = text.slice(0, -1);
        out.push({ k: 'num', v: text, pos: start });
        i += text.length;
        continue;
      }
      if (/[A-Za-z_$]/.test(c)) {
        var w = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))[0];
        out.push({ k: WORDS[w] ? 'op' : 'ident', v: w, pos: start });
        i += w.length;
        continue;
      }
      if (c === '"' || c === "'") {
        var s = '', j = i + 1;
        for (;;) {
          if (j >= src.length) throw new QueryError('literal not terminated', start);
          var d = src[j];
          if (d === c) { j++; break; }
          if (d === '\\') {
            var e = src[j + 1];
            var esc = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' }[e];
            if (esc !== undefined) { s += esc; j += 2; continue; }
            if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.substr(j + 2, 4))) { s += String.fromCharCode(parseInt(src.substr(j + 2, 4), 16)); j += 6; continue; }
            if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(src.substr(j + 2, 2))) { s += String.fromCharCode(parseInt(src.substr(j + 2, 2), 16)); j += 4; continue; }
            throw new QueryError('invalid escape \\' + e + ' in a string', j);
          }
          s += d;
          j++;
        }
        out.push({ k: 'str', v: s, pos: start });
        i = j;
        continue;
      }
      if (c === '`') {
        var end = src.indexOf('`', i + 1);
        if (end < 0) throw new QueryError('literal not terminated', start);
        out.push({ k: 'str', v: src.slice(i + 1, end), pos: start });
        i = end + 1;
        continue;
      }
      var op = null;
      for (var o = 0; o < OPS.length; o++) {
        if (src.substr(i, OPS[o].length) === OPS[o]) { op = OPS[o]; break; }
      }
      if (!op) throw new QueryError('unrecognized character: ' + JSON.stringify(c), start);
      out.push({ k: 'op', v: op, pos: start });
      i += op.length;
    }
    out.push({ k: 'eof', v: '', pos: src.length });
    return out;
  }

  // ---- parser (expr's precedence climbing) ---------------------------------

  var BINARY = {
    or: [10, 'L'], '||': [10, 'L'], and: [15, 'L'], '&&': [15, 'L'],
    '==': [20, 'L'], '!=': [20, 'L'], '<': [20, 'L'], '>': [20, 'L'], '>=': [20, 'L'], '<=': [20, 'L'],
    in: [20, 'L'], matches: [20, 'L'], contains: [20, 'L'], startsWith: [20, 'L'], endsWith: [20, 'L'],
    '..': [25, 'L'], '+': [30, 'L'], '-': [30, 'L'], '*': [60, 'L'], '/': [60, 'L'], '%': [60, 'L'],
    '**': [100, 'R'], '^': [100, 'R'], '??': [500, 'L']
  };
  var UNARY = { not: 50, '!': 50, '-': 90, '+': 90 };
  var NEGATABLE = { contains: 1, matches: 1, startsWith: 1, endsWith: 1, in: 1 };
  var COMPARISON = { '<': 1, '>': 1, '<=': 1, '>=': 1 };

  function Parser(tokens) {
    this.t = tokens;
    this.i = 0;
  }
  Parser.prototype.cur = function () { return this.t[this.i]; };
  Parser.prototype.next = function () { this.i++; };
  Parser.prototype.is = function (k, v) { var c = this.cur(); return c.k === k && (v === undefined || c.v === v); };
  Parser.prototype.expect = function (k, v) {
    if (!this.is(k, v)) this.unexpected();
    this.next();
  };
  Parser.prototype.unexpected = function () {
    var c = this.cur();
    throw new QueryError(c.k === 'eof' ? 'unexpected end of expression' : 'unexpected token ' + JSON.stringify(c.v), c.pos);
  };

  Parser.prototype.expression = function (prec) {
    var c = this.cur();
    if (prec === 0 && c.k === 'ident' && (c.v === 'let' || c.v === 'if')) {
      throw new QueryError('"' + c.v + '" is not supported in the browser', c.pos);
    }
    var left = this.primary();
    var prevOp = '';
    for (;;) {
      var tok = this.cur();
      if (tok.k !== 'op') break;
      var negate = false;
      if (tok.v === 'not') {
        var after = this.t[this.i + 1];
        if (after.k === 'op' && NEGATABLE[after.v] && BINARY[after.v][0] >= prec) {
          negate = true;
          this.next();
          tok = this.cur();
        } else if (after.k === 'op' && NEGATABLE[after.v]) {
          break;
        } else {
          this.next();
          this.unexpected();
        }
      }
      if (tok.v === '|') throw new QueryError('the pipe operator (|) is not supported in the browser', tok.pos);
      var op = BINARY[tok.v];
      if (!op || op[0] < prec) break;
      this.next();
      if (prevOp === '??' && tok.v !== '??') {
        throw new QueryError('Operator (' + tok.v + ') and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.', tok.pos);
      }
      if (COMPARISON[tok.v]) {
        left = this.comparison(left, tok, op[0]);
      } else {
        var right = this.expression(op[1] === 'L' ? op[0] + 1 : op[0]);
        left = { t: 'binary', op: tok.v, l: left, r: right, pos: tok.pos };
        if (negate) left = { t: 'unary', op: 'not', x: left, pos: tok.pos };
      }
      prevOp = tok.v;
    }
    if (prec === 0) left = this.conditional(left);
    return left;
  };

  Parser.prototype.comparison = function (left, tok, prec) {
    var root = null;
    for (;;) {
      var right = this.expression(prec + 1);
      var node = { t: 'binary', op: tok.v, l: left, r: right, pos: tok.pos };
      root = root ? { t: 'binary', op: '&&', l: root, r: node, pos: tok.pos } : node;
      left = right;
      tok = this.cur();
      if (!(tok.k === 'op' && COMPARISON[tok.v])) break;
      this.next();
    }
    return root;
  };

  Parser.prototype.conditional = function (node) {
    while (this.is('op', '?')) {
      var pos = this.cur().pos;
      this.next();
      var a, b;
      if (!this.is('op', ':')) {
        a = this.expression(0);
        this.expect('op', ':');
        b = this.expression(0);
      } else {
        this.next();
        a = node;
        b = this.expression(0);
      }
      node = { t: 'cond', c: node, a: a, b: b, pos: pos };
    }
    return node;
  };

  Parser.prototype.primary = function () {
    var tok = this.cur();
    if (tok.k === 'op' && UNARY[tok.v] !== undefined) {
      this.next();
      var x = this.expression(UNARY[tok.v]);
      return this.postfix({ t: 'unary', op: tok.v, x: x, pos: tok.pos });
    }
    if (tok.k === 'op' && tok.v === '(') {
      this.next();
      var e = this.expression(0);
      if (this.is('op', ';')) throw new QueryError('";" is not supported in the browser', this.cur().pos);
      this.expect('op', ')');
      return this.postfix(e);
    }
    return this.secondary();
  };

  Parser.prototype.secondary = function () {
    var tok = this.cur(), node;
    switch (tok.k) {
      case 'ident':
        this.next();
        if (tok.v === 'true' || tok.v === 'false') return { t: 'lit', v: tok.v === 'true', type: 'bool', pos: tok.pos };
        if (tok.v === 'nil') return { t: 'lit', v: null, type: 'nil', pos: tok.pos };
        if (this.is('op', '(')) node = { t: 'call', name: tok.v, args: this.args(), pos: tok.pos };
        else node = { t: 'ident', name: tok.v, pos: tok.pos };
        break;
      case 'num':
        this.next();
        return numberNode(tok);
      case 'str':
        this.next();
        node = { t: 'lit', v: tok.v, type: 'string', pos: tok.pos };
        break;
      default:
        if (tok.k === 'op' && tok.v === '[') {
          this.next();
          var items = [];
          while (!this.is('op', ']')) {
            items.push(this.expression(0));
            if (!this.is('op', ',')) break;
            this.next();
          }
          this.expect('op', ']');
          node = { t: 'array', items: items, pos: tok.pos };
        } else if (tok.k === 'op' && tok.v === '{') {
          throw new QueryError('map literals are not supported in the browser', tok.pos);
        } else if (tok.k === 'op' && (tok.v === '#' || tok.v === '::')) {
          throw new QueryError('predicates and builtins by ' + tok.v + ' are not supported in the browser', tok.pos);
        } else {
          this.unexpected();
        }
    }
    return this.postfix(node);
  };

  Parser.prototype.args = function () {
    this.expect('op', '(');
    var args = [];
    while (!this.is('op', ')')) {
      args.push(this.expression(0));
      if (!this.is('op', ',')) break;
      this.next();
    }
    this.expect('op', ')');
    return args;
  };

  Parser.prototype.postfix = function (node) {
    for (;;) {
      var tok = this.cur();
      if (tok.k !== 'op') return node;
      var optional = tok.v === '?.';
      if (tok.v === '.' || optional) {
        this.next();
        if (optional && this.is('op', '[')) {
          node = this.index(node, true);
          continue;
        }
        var prop = this.cur();
        if (prop.k !== 'ident' && !(prop.k === 'op' && /^[A-Za-z_]\w*$/.test(prop.v))) throw new QueryError('expected name', prop.pos);
        this.next();
        if (this.is('op', '(')) {
          node = { t: 'method', x: node, name: prop.v, args: this.args(), optional: optional, pos: prop.pos };
        } else {
          node = { t: 'member', x: node, prop: { t: 'lit', v: prop.v, type: 'string', pos: prop.pos }, optional: optional, pos: prop.pos };
        }
      } else if (tok.v === '[') {
        node = this.index(node, false);
      } else {
        return node;
      }
    }
  };

  Parser.prototype.index = function (node, optional) {
    var tok = this.cur();
    this.expect('op', '[');
    if (this.is('op', ':')) throw new QueryError('slices are not supported in the browser', tok.pos);
    var prop = this.expression(0);
    if (this.is('op', ':')) throw new QueryError('slices are not supported in the browser', tok.pos);
    this.expect('op', ']');
    return { t: 'member', x: node, prop: prop, optional: optional, pos: tok.pos };
  };

  function numberNode(tok) {
    var text = tok.v.replace(/_/g, ''), lower = text.toLowerCase(), v;
    if (/^0x/.test(lower)) v = parseInt(lower.slice(2), 16);
    else if (/^0b/.test(lower)) v = parseInt(lower.slice(2), 2);
    else if (/^0o/.test(lower)) v = parseInt(lower.slice(2), 8);
    else if (/[.e]/.test(lower)) return { t: 'lit', v: parseFloat(text), type: 'float', pos: tok.pos };
    else v = parseInt(text, 10);
    if (!isFinite(v) || Math.abs(v) > 9007199254740991) throw new QueryError('integer literal is too large', tok.pos);
    return { t: 'lit', v: v, type: 'int', pos: tok.pos };
  }

  // ---- types (expr's checker, for the types a run's fields have) -----------

  // Types: int int64 float string bool time duration nil array map any
  // (int64 apart from int, as Go keeps them apart in list literals).
  function isInt(t) { return t === 'int' || t === 'int64'; }
  function isNum(t) { return isInt(t) || t === 'float'; }
  function known(t) { return t !== 'any'; }

  function mismatch(node, l, r) {
    throw new QueryError('invalid operation: ' + node.op + ' (mismatched types ' + l + ' and ' + r + ')', node.pos);
  }

  // comparable reports whether == may compare values of types a and b.
  function comparable(a, b) {
    return a === 'any' || b === 'any' || a === 'nil' || b === 'nil' || a === b || (isNum(a) && isNum(b));
  }

  // maybe reports whether an operand of type t may be of one of the kinds
  // (unknown types may be anything).
  function maybe(t, kinds) { return t === 'any' || kinds.indexOf(t === 'int64' ? 'int' : t) >= 0; }

  var TIME_METHODS = {
    Year: 'int', Month: 'int', Day: 'int', Hour: 'int', Minute: 'int', Second: 'int', Weekday: 'int', YearDay: 'int',
    Unix: 'int', UnixMilli: 'int', Before: 'bool', After: 'bool', Equal: 'bool', Sub: 'duration'
  };
  var DURATION_METHODS = { Hours: 'float', Minutes: 'float', Seconds: 'float', Milliseconds: 'int' };

  var FUNCS = {
    len: 1, abs: 1, ceil: 1, floor: 1, round: 1, min: 1, max: 1, lower: 1, upper: 1, trim: 1, trimPrefix: 1,
    trimSuffix: 1, hasPrefix: 1, hasSuffix: 1, int: 1, float: 1, string: 1, now: 1, date: 1
  };

  function Checker(schema) { this.schema = schema; }

  Checker.prototype.check = function (n) {
    var self = this, l, r;
    switch (n.t) {
      case 'lit':
        return (n.type_ = n.type);
      case 'array': {
        // A list's elements have a type when they share a Go kind: then
        // it is the last one's, as expr's checker has it.
        var elems = n.items.map(function (x) { return self.check(x); });
        var same = elems.length > 0 && elems.every(function (t) { return goKind(t) === goKind(elems[0]); });
        n.elem = same ? elems[elems.length - 1] : 'any';
        return (n.type_ = 'array');
      }
      case 'ident': {
        var kind = this.schema[n.name];
        if (!kind) {
          if (FUNCS[n.name]) throw new QueryError(n.name + ' is a function: call it, as ' + n.name + '(...)', n.pos);
          throw new QueryError('unknown name ' + n.name, n.pos);
        }
        return (n.type_ = kind);
      }
      case 'member': {
        var base = this.check(n.x);
        var pt = this.check(n.prop);
        if (base === 'map' || base === 'any') return (n.type_ = 'any');
        if (base === 'array') {
          if (!maybe(pt, ['int'])) throw new QueryError('array elements can only be selected using an integer (got ' + pt + ')', n.pos);
          return (n.type_ = 'any');
        }
        if (base === 'nil') return (n.type_ = 'any');
        throw new QueryError('type ' + goType(base) + ' has no field ' + (n.prop.t === 'lit' ? n.prop.v : '[...]'), n.pos);
      }
      case 'method': {
        var bt = this.check(n.x);
        n.args.forEach(function (a) { self.check(a); });
        var table = bt === 'time' ? TIME_METHODS : bt === 'duration' ? DURATION_METHODS : null;
        if (table) {
          if (!table[n.name]) throw new QueryError('type ' + goType(bt) + ' has no method ' + n.name + ' in the browser\'s search', n.pos);
          return (n.type_ = table[n.name]);
        }
        if (bt === 'any') {
          if (!TIME_METHODS[n.name] && !DURATION_METHODS[n.name]) throw new QueryError('method ' + n.name + ' is not supported in the browser', n.pos);
          return (n.type_ = 'any');
        }
        throw new QueryError('type ' + goType(bt) + ' has no method ' + n.name, n.pos);
      }
      case 'call':
        return (n.type_ = this.call(n));
      case 'unary': {
        var xt = this.check(n.x);
        if (n.op === 'not' || n.op === '!') {
          if (xt !== 'bool' && xt !== 'any') throw new QueryError('invalid operation: ' + n.op + ' (mismatched type ' + goType(xt) + ')', n.pos);
          return (n.type_ = 'bool');
        }
        if (!maybe(xt, ['int', 'float'])) throw new QueryError('invalid operation: ' + n.op + ' (mismatched type ' + goType(xt) + ')', n.pos);
        return (n.type_ = xt);
      }
      case 'cond': {
        var ct = this.check(n.c);
        if (ct !== 'bool' && ct !== 'any') throw new QueryError('non-bool expression (type ' + goType(ct) + ') used as condition', n.pos);
        var at = this.check(n.a), bt2 = this.check(n.b);
        return (n.type_ = at === bt2 ? at : 'any');
      }
      case 'binary':
        l = this.check(n.l);
        r = this.check(n.r);
        return (n.type_ = this.binary(n, l, r));
    }
    throw new QueryError('unsupported expression', n.pos);
  };

  Checker.prototype.binary = function (n, l, r) {
    switch (n.op) {
      case '==':
      case '!=':
        if (comparable(l, r)) return 'bool';
        break;
      case 'or': case '||': case 'and': case '&&':
        if (maybe(l, ['bool']) && maybe(r, ['bool'])) return 'bool';
        break;
      case '<': case '>': case '<=': case '>=':
        if ((isNum(l) || l === 'any') && (isNum(r) || r === 'any')) return 'bool';
        if (maybe(l, ['string']) && maybe(r, ['string'])) return 'bool';
        if (maybe(l, ['time']) && maybe(r, ['time'])) return 'bool';
        if (maybe(l, ['duration']) && maybe(r, ['duration'])) return 'bool';
        break;
      case '-':
        if (isNum(l) && isNum(r)) return isInt(l) && isInt(r) ? 'int' : 'float';
        if (l === 'time' && r === 'time') return 'duration';
        if (l === 'time' && r === 'duration') return 'time';
        if (l === 'duration' && r === 'duration') return 'duration';
        if ((l === 'any' || r === 'any') && maybe(l, ['int', 'float', 'time', 'duration']) && maybe(r, ['int', 'float', 'time', 'duration'])) return 'any';
        break;
      case '*':
        if (isNum(l) && isNum(r)) return isInt(l) && isInt(r) ? 'int' : 'float';
        if ((isNum(l) && r === 'duration') || (l === 'duration' && isNum(r))) return 'duration';
        if ((l === 'any' || r === 'any') && maybe(l, ['int', 'float', 'duration']) && maybe(r, ['int', 'float', 'duration'])) return 'any';
        break;
      case '/':
      case '**':
      case '^':
        if (maybe(l, ['int', 'float']) && maybe(r, ['int', 'float'])) return 'float';
        break;
      case '%':
        if (maybe(l, ['int']) && maybe(r, ['int'])) return 'int';
        break;
      case '+':
        if (isNum(l) && isNum(r)) return isInt(l) && isInt(r) ? 'int' : 'float';
        if (l === 'string' && r === 'string') return 'string';
        if ((l === 'time' && r === 'duration') || (l === 'duration' && r === 'time')) return 'time';
        if (l === 'duration' && r === 'duration') return 'duration';
        if ((l === 'any' || r === 'any') && maybe(l, ['int', 'float', 'string', 'time', 'duration']) && maybe(r, ['int', 'float', 'string', 'time', 'duration'])) return 'any';
        break;
      case 'in':
        if (r === 'map') {
          if (!maybe(l, ['string', 'nil'])) throw new QueryError('cannot use ' + goType(l) + ' as type string in map key', n.pos);
          return 'bool';
        }
        if (r === 'array') {
          var elem = n.r.t === 'array' ? n.r.elem : 'any';
          if (!comparable(l, elem)) throw new QueryError('cannot use ' + goType(l) + ' as type ' + goType(elem) + ' in array', n.pos);
          return 'bool';
        }
        if (r === 'any' || r === 'nil') return 'bool';
        break;
      case 'matches':
        if (n.r.t === 'lit' && n.r.type === 'string') n.re = regexpOf(n.r.v, n.r.pos);
        if (maybe(l, ['string']) && maybe(r, ['string'])) return 'bool';
        break;
      case 'contains': case 'startsWith': case 'endsWith':
        if (maybe(l, ['string']) && maybe(r, ['string'])) return 'bool';
        break;
      case '..':
        throw new QueryError('ranges (..) are not supported in the browser', n.pos);
      case '??':
        if (l === 'nil') return r;
        if (r === 'nil' || l === r) return l;
        return 'any';
    }
    return mismatch(n, goType(l), goType(r));
  };

  Checker.prototype.call = function (n) {
    var self = this;
    var types = n.args.map(function (a) { return self.check(a); });
    var arity = function (lo, hi) {
      if (types.length < lo || types.length > hi) throw new QueryError('invalid number of arguments for ' + n.name + ' (expected ' + (lo === hi ? lo : lo + ' to ' + hi) + ', got ' + types.length + ')', n.pos);
    };
    var want = function (i, kinds) {
      if (!maybe(types[i], kinds)) throw new QueryError('invalid argument for ' + n.name + ' (type ' + goType(types[i]) + ')', n.pos);
    };
    if (this.schema[n.name]) throw new QueryError(goType(this.schema[n.name]) + ' is not callable', n.pos);
    switch (n.name) {
      case 'len': arity(1, 1); want(0, ['string', 'array', 'map']); return 'int';
      case 'abs': arity(1, 1); want(0, ['int', 'float']); return types[0] === 'any' ? 'any' : types[0];
      case 'ceil': case 'floor': case 'round': arity(1, 1); want(0, ['int', 'float']); return 'float';
      case 'min': case 'max':
        if (types.length === 0) throw new QueryError('not enough arguments to call ' + n.name, n.pos);
        types.forEach(function (_, i) { want(i, ['int', 'float']); });
        if (types.every(isInt)) return types[0];
        if (types.every(isNum)) return 'float';
        return 'any';
      case 'lower': case 'upper': case 'trim': arity(1, 1); want(0, ['string']); return 'string';
      case 'trimPrefix': case 'trimSuffix': arity(2, 2); want(0, ['string']); want(1, ['string']); return 'string';
      case 'hasPrefix': case 'hasSuffix': arity(2, 2); want(0, ['string']); want(1, ['string']); return 'bool';
      case 'int': arity(1, 1); want(0, ['int', 'float', 'string']); return 'int';
      case 'float': arity(1, 1); want(0, ['int', 'float', 'string']); return 'float';
      case 'string': arity(1, 1); return 'string';
      case 'now': arity(0, 0); return 'time';
      case 'date':
        arity(1, 1);
        want(0, ['string']);
        return 'time';
    }
    throw new QueryError('function ' + n.name + ' is not supported in the browser; use assay ls --where or assay ui', n.pos);
  };

  function goKind(t) {
    return { duration: 'int64', float: 'float64', time: 'struct', array: 'slice', any: 'interface' }[t] || t;
  }

  function goType(t) {
    return { int: 'int', int64: 'int64', float: 'float64', string: 'string', bool: 'bool', time: 'time.Time', duration: 'time.Duration', nil: 'nil', array: '[]interface {}', map: 'map[string]interface {}', any: 'interface {}' }[t] || t;
  }

  // regexpOf turns a Go (RE2) pattern into a JavaScript one: the same for
  // the syntax both share; leading (?i), (?s) and (?m) become flags.
  function regexpOf(p, pos) {
    var flags = '';
    var m = /^\(\?([ism]+)\)/.exec(p);
    if (m) {
      flags = m[1].replace(/(.)(?=.*\1)/g, '');
      p = p.slice(m[0].length);
    }
    if (/\(\?[^:=!<]/.test(p) || /\\[zApPQE]/.test(p)) {
      throw new QueryError('this regular expression uses syntax the browser does not share with Go; use assay ls --where', pos);
    }
    try {
      return new RegExp(p, flags + 'u');
    } catch (e) {
      throw new QueryError('error parsing regexp: ' + e.message, pos);
    }
  }

  // parseDate reads what expr's date() reads without a layout (Go's
  // time.Parse with each of its layouts in turn, in UTC): 2006-01-02,
  // 15:04:05, 2006-01-02 15:04:05, RFC 3339, RFC 822, RFC 850 and
  // RFC 1123, seconds with an optional fraction. A zone abbreviation
  // ("MST") counts as UTC, as Go counts one it does not know.
  var MONTHS = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };
  var DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)', LONGDAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
  var MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)', ZONE = '([A-Z]{3,5})', FRAC = '(\\.\\d+)?';
  var DATE_FORMS = [
    // [pattern, the groups: y m d H M S frac zone-offset(±hh:mm|Z) zone-name]
    [new RegExp('^(\\d{4})-(\\d{2})-(\\d{2})$'), 'ymd'],
    [new RegExp('^(\\d{2}):(\\d{2}):(\\d{2})' + FRAC + '$'), 'HMSf'],
    [new RegExp('^(\\d{4})-(\\d{2})-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})' + FRAC + '$'), 'ymdHMSf'],
    [new RegExp('^(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})' + FRAC + '(Z|[+-]\\d{2}:\\d{2})$'), 'ymdHMSfo'],
    [new RegExp('^(\\d{2}) ' + MON + ' (\\d{2}) (\\d{2}):(\\d{2}) ' + ZONE + '$'), 'dbYHMz'],
    [new RegExp('^' + LONGDAY + ', (\\d{2})-' + MON + '-(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2})' + FRAC + ' ' + ZONE + '$'), 'dbYHMSfz'],
    [new RegExp('^' + DAY + ', (\\d{2}) ' + MON + ' (\\d{4}) (\\d{2}):(\\d{2}):(\\d{2})' + FRAC + ' ' + ZONE + '$'), 'dbyHMSfz']
  ];

  function parseDate(s) {
    for (var f = 0; f < DATE_FORMS.length; f++) {
      var m = DATE_FORMS[f][0].exec(s);
      if (!m) continue;
      var v = { y: 0, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0, o: 0 }, spec = DATE_FORMS[f][1];
      for (var i = 0; i < spec.length; i++) {
        var g = m[i + 1], c = spec[i];
        if (c === 'b') v.m = MONTHS[g];
        else if (c === 'Y') { var yy = +g; v.y = yy >= 69 ? 1900 + yy : 2000 + yy; }
        else if (c === 'f') v.f = g ? Math.floor(parseFloat('0' + g) * 1000) : 0;
        else if (c === 'o') v.o = g === 'Z' ? 0 : (g[0] === '-' ? -1 : 1) * (parseInt(g.slice(1, 3), 10) * 60 + parseInt(g.slice(4, 6), 10));
        else if (c === 'z') v.o = 0;
        else v[c] = +g;
      }
      if (v.m < 1 || v.m > 12 || v.d < 1 || v.d > daysIn(v.y, v.m) || v.H > 23 || v.M > 59 || v.S > 59) break;
      var ms = Date.UTC(2000, v.m - 1, v.d, v.H, v.M, v.S, v.f);
      ms = new Date(ms).setUTCFullYear(v.y);
      return new T(ms - v.o * 60000);
    }
    return fail('invalid date ' + s);
  }

  function daysIn(y, m) {
    if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
    return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  }

  // ---- compiler: closures over a run --------------------------------------

  // A run is read through an object with field(name) (the field's value:
  // times as milliseconds), metric(name) (a number or null) and
  // metrics() (every metric as an object).
  function compileNode(n) {
    switch (n.t) {
      case 'lit': {
        var v = n.v;
        return function () { return v; };
      }
      case 'array': {
        var items = n.items.map(compileNode);
        return function (run) { return items.map(function (f) { return f(run); }); };
      }
      case 'ident': {
        var name = n.name;
        if (n.type_ === 'time') return function (run) { return new T(run.field(name)); };
        if (name === 'metrics') return function (run) { return run.metrics(); };
        return function (run) { return run.field(name); };
      }
      case 'member':
        return compileMember(n);
      case 'method':
        return compileMethod(n);
      case 'call':
        return compileCall(n);
      case 'unary': {
        var x = compileNode(n.x), op = n.op;
        if (op === 'not' || op === '!') return function (run) { return !bool(x(run), op); };
        return function (run) {
          var val = x(run);
          if (typeof val !== 'number') fail('invalid operation: ' + op + ' (' + typeName(val) + ')');
          return op === '-' ? -val : val;
        };
      }
      case 'cond': {
        var c = compileNode(n.c), a = compileNode(n.a), b = compileNode(n.b);
        return function (run) { return bool(c(run), 'condition') ? a(run) : b(run); };
      }
      case 'binary':
        return compileBinary(n);
    }
    throw new QueryError('unsupported expression', n.pos);
  }

  function compileMember(n) {
    var optional = n.optional;
    // metrics.NAME reads one column, without building the run's metrics.
    if (n.x.t === 'ident' && n.x.name === 'metrics' && n.prop.t === 'lit' && typeof n.prop.v === 'string') {
      var metric = n.prop.v;
      return function (run) { var v = run.metric(metric); return v === undefined ? null : v; };
    }
    var x = compileNode(n.x), prop = compileNode(n.prop);
    return function (run) {
      var base = x(run), key = prop(run);
      if (base === null || base === undefined) {
        if (optional) return null;
        return fail('cannot fetch ' + key + ' from <nil>');
      }
      if (Array.isArray(base)) {
        if (typeof key !== 'number' || !Number.isInteger(key)) fail('invalid array index: ' + typeName(key));
        var i = key < 0 ? base.length + key : key;
        if (i < 0 || i >= base.length) fail('index out of range: ' + key + ' (array length is ' + base.length + ')');
        return base[i];
      }
      if (isMap(base)) {
        if (typeof key !== 'string') return fail('cannot use ' + typeName(key) + ' as a map key');
        return Object.prototype.hasOwnProperty.call(base, key) ? base[key] : null;
      }
      if (typeof base === 'string') {
        return fail('cannot fetch ' + key + ' from string');
      }
      return fail('cannot fetch ' + key + ' from ' + typeName(base));
    };
  }

  function compileMethod(n) {
    var x = compileNode(n.x), args = n.args.map(compileNode), name = n.name, optional = n.optional;
    return function (run) {
      var v = x(run);
      if ((v === null || v === undefined) && optional) return null;
      var a = args.map(function (f) { return f(run); });
      if (v instanceof T) {
        var d = new Date(v.ms);
        switch (name) {
          case 'Year': return d.getUTCFullYear();
          case 'Month': return d.getUTCMonth() + 1;
          case 'Day': return d.getUTCDate();
          case 'Hour': return d.getUTCHours();
          case 'Minute': return d.getUTCMinutes();
          case 'Second': return d.getUTCSeconds();
          case 'Weekday': return d.getUTCDay();
          case 'YearDay': return Math.floor((v.ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
          case 'Unix': return Math.floor(v.ms / 1000);
          case 'UnixMilli': return v.ms;
          case 'Before': case 'After': case 'Equal': case 'Sub':
            if (!(a[0] instanceof T)) fail('invalid argument for ' + name + ' (type ' + typeName(a[0]) + ')');
            if (name === 'Before') return v.ms < a[0].ms;
            if (name === 'After') return v.ms > a[0].ms;
            if (name === 'Equal') return v.ms === a[0].ms;
            return new D(v.ms - a[0].ms);
        }
      }
      if (v instanceof D) {
        switch (name) {
          case 'Hours': return v.ms / 3600000;
          case 'Minutes': return v.ms / 60000;
          case 'Seconds': return v.ms / 1000;
          case 'Milliseconds': return Math.trunc(v.ms);
        }
      }
      return fail('method ' + name + ' of ' + typeName(v) + ' is not supported in the browser');
    };
  }

  function num(v, fn) {
    if (typeof v !== 'number') fail('invalid argument for ' + fn + ' (type ' + typeName(v) + ')');
    return v;
  }

  function compileCall(n) {
    var args = n.args.map(compileNode), name = n.name;
    var ints = n.args.map(function (a) { return a.type_ === 'int'; });
    var at = function (run) { return args.map(function (f) { return f(run); }); };
    switch (name) {
      case 'len':
        return function (run) {
          var v = args[0](run);
          if (typeof v === 'string') return utf8Length(v);
          if (Array.isArray(v)) return v.length;
          if (isMap(v)) return Object.keys(v).length;
          return fail('invalid argument for len (type ' + typeName(v) + ')');
        };
      case 'abs': return function (run) { return Math.abs(num(args[0](run), name)); };
      case 'ceil': return function (run) { return Math.ceil(num(args[0](run), name)); };
      case 'floor': return function (run) { return Math.floor(num(args[0](run), name)); };
      case 'round': return function (run) { var v = num(args[0](run), name); return v < 0 ? -Math.round(-v) : Math.round(v); };
      case 'min': case 'max':
        return function (run) {
          var vs = at(run), best = null;
          vs.forEach(function (v) {
            num(v, name);
            if (best === null || (name === 'min' ? v < best : v > best)) best = v;
          });
          return best;
        };
      case 'lower': return function (run) { return str(args[0](run), name).toLowerCase(); };
      case 'upper': return function (run) { return str(args[0](run), name).toUpperCase(); };
      case 'trim': return function (run) { return str(args[0](run), name).replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, ''); };
      case 'trimPrefix': return function (run) { var s = str(args[0](run), name), p = str(args[1](run), name); return s.indexOf(p) === 0 ? s.slice(p.length) : s; };
      case 'trimSuffix': return function (run) { var s = str(args[0](run), name), p = str(args[1](run), name); return p && s.slice(-p.length) === p ? s.slice(0, s.length - p.length) : s; };
      case 'hasPrefix': return function (run) { return str(args[0](run), name).indexOf(str(args[1](run), name)) === 0; };
      case 'hasSuffix': return function (run) { var s = str(args[0](run), name), p = str(args[1](run), name); return s.length >= p.length && s.slice(s.length - p.length) === p; };
      case 'int':
        return function (run) {
          var v = args[0](run);
          if (typeof v === 'number') return Math.trunc(v);
          if (typeof v === 'string' && /^[+-]?\d+$/.test(v)) return parseInt(v, 10);
          return fail('invalid argument for int (' + JSON.stringify(v) + ')');
        };
      case 'float':
        return function (run) {
          var v = args[0](run);
          if (typeof v === 'number') return v;
          if (typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v) && v.trim() === v) return parseFloat(v);
          return fail('invalid argument for float (' + JSON.stringify(v) + ')');
        };
      case 'string':
        return function (run) { return goString(args[0](run), ints[0]); };
      case 'now': return function () { return new T(Date.now()); };
      case 'date':
        return function (run) { return parseDate(str(args[0](run), name)); };
    }
    throw new QueryError('function ' + name + ' is not supported in the browser', n.pos);
  }

  function utf8Length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  // goString is fmt.Sprint of a value as Go holds it.
  function goString(v, isInt) {
    if (v === null || v === undefined) return '<nil>';
    if (typeof v === 'number') {
      if (isInt) return String(v);
      if (v === 0) return '0';
      var a = Math.abs(v);
      if (a < 1e-4 || a >= 1e21) {
        var e = v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
        return e;
      }
      return String(v);
    }
    if (typeof v === 'boolean' || typeof v === 'string') return String(v);
    return fail('string() of ' + typeName(v) + ' is not supported in the browser');
  }

  // intness tells, for one run, whether a number n yields is an integer
  // in Go (% takes only integers): the run's integer fields and integer
  // literals are; a record's numbers (params, metrics) never are, being
  // float64; ?? and ?: take after the branch they yield.
  function intness(n) {
    if (isInt(n.type_)) return function () { return true; };
    if (n.type_ !== 'any') return function () { return false; };
    if (n.t === 'binary' && n.op === '??') {
      var l = compileNode(n.l), li = intness(n.l), ri = intness(n.r);
      return function (run) { var v = l(run); return v === null || v === undefined ? ri(run) : li(run); };
    }
    if (n.t === 'cond') {
      var c = compileNode(n.c), ai = intness(n.a), bi = intness(n.b);
      return function (run) { return c(run) === true ? ai(run) : bi(run); };
    }
    if (n.t === 'binary' && (n.op === '+' || n.op === '-' || n.op === '*' || n.op === '%')) {
      var x = intness(n.l), y = intness(n.r);
      return function (run) { return x(run) && y(run); };
    }
    if (n.t === 'unary') return intness(n.x);
    return function () { return false; };
  }

  function compileBinary(n) {
    var l = compileNode(n.l), r = compileNode(n.r), op = n.op;
    switch (op) {
      // As in Go, only the left operand must be a boolean: the right
      // one is the result as it is.
      case '&&': case 'and':
        return function (run) { return bool(l(run), op) ? r(run) : false; };
      case '||': case 'or':
        return function (run) { return bool(l(run), op) ? true : r(run); };
      case '==': return function (run) { return equal(l(run), r(run)); };
      case '!=': return function (run) { return !equal(l(run), r(run)); };
      case '<': case '>': case '<=': case '>=':
        return function (run) { return order(op, l(run), r(run)); };
      case '+': case '-': case '*': case '/': case '**': case '^':
        return function (run) { return arith(op, l(run), r(run), false); };
      case '%': {
        var li = intness(n.l), ri = intness(n.r);
        return function (run) { return arith(op, l(run), r(run), li(run) && ri(run)); };
      }
      case '??':
        return function (run) { var v = l(run); return v === null || v === undefined ? r(run) : v; };
      case 'in':
        // Go looks a needle up in a list of string literals as a map key:
        // a needle that is not a string (or nil) fails.
        var strings = n.r.t === 'array' && n.r.items.length > 0 && n.r.items.every(function (x) { return x.t === 'lit' && x.type === 'string'; });
        return function (run) {
          var needle = l(run), hay = r(run);
          if (strings && needle !== null && needle !== undefined && typeof needle !== 'string') {
            fail('cannot use ' + typeName(needle) + ' as a key of a list of strings');
          }
          if (hay === null || hay === undefined) return false;
          if (Array.isArray(hay)) {
            for (var i = 0; i < hay.length; i++) if (equal(needle, hay[i])) return true;
            return false;
          }
          if (isMap(hay)) {
            if (needle === null || needle === undefined) needle = '';
            if (typeof needle !== 'string') fail('cannot use ' + typeName(needle) + ' as a map key');
            return Object.prototype.hasOwnProperty.call(hay, needle);
          }
          return fail('operator "in" not defined on ' + typeName(hay));
        };
      case 'matches': {
        var re = n.re;
        return function (run) {
          var s = l(run), p = r(run);
          if (s === null || s === undefined || p === null || p === undefined) return false;
          if (typeof s !== 'string' || typeof p !== 'string') fail('invalid operation: matches on ' + typeName(s) + ' and ' + typeName(p));
          if (re) return re.test(s);
          var dyn;
          try { dyn = regexpOf(p, n.pos); } catch (e) { return fail(e.message); }
          return dyn.test(s);
        };
      }
      case 'contains':
        return function (run) { var s = l(run), p = r(run); return strPair(s, p, op) && s.indexOf(p) >= 0; };
      case 'startsWith':
        return function (run) { var s = l(run), p = r(run); return strPair(s, p, op) && s.indexOf(p) === 0; };
      case 'endsWith':
        return function (run) { var s = l(run), p = r(run); return strPair(s, p, op) && s.length >= p.length && s.slice(s.length - p.length) === p; };
    }
    throw new QueryError('operator ' + op + ' is not supported in the browser', n.pos);
  }

  // strPair reports whether a string operator has two strings to work
  // on: nil on either side is no match, anything else fails.
  function strPair(a, b, op) {
    if (a === null || a === undefined || b === null || b === undefined) return false;
    if (typeof a !== 'string' || typeof b !== 'string') fail('invalid operation: ' + op + ' on ' + typeName(a) + ' and ' + typeName(b));
    return true;
  }

  // ---- the API ---------------------------------------------------------------

  function parse(src) {
    var p = new Parser(lex(src));
    var node = p.expression(0);
    if (!p.is('eof')) {
      if (p.is('op', ';')) throw new QueryError('";" is not supported in the browser', p.cur().pos);
      p.unexpected();
    }
    return node;
  }

  function located(src, e) {
    if (!(e instanceof QueryError)) throw e;
    var before = src.slice(0, e.pos), line = before.split('\n').length, col = e.pos - before.lastIndexOf('\n');
    e.message = e.message + ' (' + line + ':' + col + ')';
    return e;
  }

  // compileWhere compiles a --where expression: the returned function
  // returns true or false for a run, or throws a RunError when the run
  // lacks what the expression reads (the run is then skipped). It throws
  // a QueryError for an expression that cannot run at all.
  function compileWhere(src, schema) {
    try {
      var node = parse(src);
      var type = new Checker(schema).check(node);
      if (type !== 'bool' && type !== 'any') throw new QueryError('expected bool, but got ' + (type === 'nil' ? 'unknown' : goType(type)), node.pos);
      var f = compileNode(node);
      return function (run) {
        var v = f(run);
        // nil is no match; any other value that is not a boolean fails.
        if (v === null || v === undefined) return false;
        if (v !== true && v !== false) fail('invalid operation: bool(' + typeName(v) + ')');
        return v;
      };
    } catch (e) {
      throw located(src, e);
    }
  }

  // compileSort compiles a --sort list ("-metrics.val_acc,started"): the
  // returned function orders two runs as assay ls does: by each key
  // (numbers by value, times by time, the rest as text; a missing value
  // last either way), then newest first by run id.
  function compileSort(src, schema) {
    var keys = [];
    src.split(',').forEach(function (part) {
      part = part.trim();
      if (!part) return;
      var desc = false;
      if (part[0] === '-' || part[0] === '+') {
        desc = part[0] === '-';
        part = part.slice(1).trim();
      }
      try {
        var node = parse(part);
        new Checker(schema).check(node);
        keys.push({ f: compileNode(node), desc: desc });
      } catch (e) {
        var err = located(part, e);
        err.message = 'invalid --sort key ' + part + ': ' + err.message;
        throw err;
      }
    });
    return {
      keys: keys,
      values: function (run) {
        return keys.map(function (k) {
          try { return k.f(run); } catch (e) { if (e instanceof RunError) return null; throw e; }
        });
      },
      compare: function (a, b, ida, idb) {
        for (var i = 0; i < keys.length; i++) {
          var c = compareValues(a[i], b[i], keys[i].desc);
          if (c !== 0) return c;
        }
        return ida > idb ? -1 : ida < idb ? 1 : 0;
      }
    };
  }

  function compareValues(a, b, desc) {
    var an = a === null || a === undefined || (typeof a === 'number' && isNaN(a));
    var bn = b === null || b === undefined || (typeof b === 'number' && isNaN(b));
    if (an && bn) return 0;
    if (an) return 1;
    if (bn) return -1;
    var c;
    var na = typeof a === 'number' || typeof a === 'boolean', nb = typeof b === 'number' || typeof b === 'boolean';
    if (na && nb) c = Number(a) < Number(b) ? -1 : Number(a) > Number(b) ? 1 : 0;
    else if (a instanceof T && b instanceof T) c = a.ms < b.ms ? -1 : a.ms > b.ms ? 1 : 0;
    else {
      var sa = display(a), sb = display(b);
      c = sa < sb ? -1 : sa > sb ? 1 : 0;
    }
    return desc ? -c : c;
  }

  // display shows a value as a table cell.
  function display(v) {
    if (v === null || v === undefined) return '—';
    if (v instanceof T) return new Date(v.ms).toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, '');
    if (v instanceof D) return (v.ms / 1000) + 's';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  global.AssayQuery = {
    compileWhere: compileWhere,
    compileSort: compileSort,
    QueryError: QueryError,
    RunError: RunError,
    display: display
  };
})(typeof window !== 'undefined' ? window : globalThis);
