#!/usr/bin/env python3
"""Independent verifier of lottery audit bundles, written from docs/protocol.md alone.

It shares no code with the service (TypeScript): Python 3.11 standard library only, with `openssl` run in a
subprocess for RSA and for Ed25519 (the witnessed log, §10: `openssl pkeyutl -verify -rawin`, OpenSSL 3.0 or
later). It runs every check of protocol.md §8.2, with the same names, flags and exit codes as
`npx lottery verify`, so that a disagreement between the two exposes a bug in one of them or in the document.

Usage:
  python3 docs/reference/verify_bundle.py BUNDLE.json [--key PEM] [--fingerprint SHA256:HEX]
          [--commitment HEX] [--entropy DICE] [--checkpoint FILE] [--max-bytes N] [--json]
          [--log-key VKEY|FILE] [--witness-key FILE ...] [--witnesses K]
          (each option at most once, but --witness-key: a repeated option is a usage error)
  python3 docs/reference/verify_bundle.py vectors FILE.json      check the protocol test vectors (draw-v1.json,
                                                                  draw-v2.json)

Exit codes: 0 every check holds; 1 a check fails; 2 unreadable input, usage error or internal error.
`--pdf` (record.pdf.*) is not implemented here.

Unicode: NFC/NFKC and the general categories (Cc, Cf) come from Python's `unicodedata`, whose Unicode version
(see `unicodedata.unidata_version`) may be older than the one in Node's ICU. Characters assigned after that
version may normalise or be categorised differently from the service.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
from datetime import datetime, timedelta, timezone

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32
MAX_SAFE = 2 ** 53 - 1
ZERO64 = '0' * 64

# Every regex below is used with fullmatch: Python's `$` would accept a trailing "\n", and `\d` would accept
# non-ASCII digits (Arabic-Indic, full-width), both of which the protocol's ASCII grammars exclude.
HEX64 = re.compile(r'[0-9a-f]{64}')
LOTTERY_ID = re.compile(r'[A-Za-z0-9_-]{1,64}')
ROSTER_ID = re.compile(r'[A-Za-z0-9_-]{1,32}')
AT = re.compile(r'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z')
TYPE = re.compile(r'[a-z]+(\.[a-z]+)+')
ACTOR = re.compile(r'user:[A-Za-z0-9_-]{1,64}|cli|system')
PERCENT = re.compile(r'([0-9]{1,3})(?:\.([0-9]{1,4}))?')
DIGITS_V2 = re.compile(r'[0-9]{10,64}')


class Unreadable(Exception):
    """§8.1: the input cannot be read (exit 2, no checks run)."""


class UsageError(Exception):
    """The command line is wrong (exit 2)."""


def is_int(v):
    # bool is a subclass of int in Python; JSON true is not an integer.
    return type(v) is int


def is_obj(v):
    return isinstance(v, dict)


def is_str_list(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


# ---------------------------------------------------------------------------------------------------------------
# Strict JSON reading (§8.1). A hand-written parser, not json.loads: the bundle is hostile and every leniency of a
# general-purpose parser (NaN, 7.0 read as 7, a later duplicate key silently winning, lone surrogates, unbounded
# recursion) is a way to make two readers see two different bundles.
# ---------------------------------------------------------------------------------------------------------------

_WS = re.compile(r'[ \t\n\r]*')
_NUMBER = re.compile(r'-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?')
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')
_ESC = {'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
_HEX4 = re.compile(r'[0-9a-fA-F]{4}')


class _Parser:
    def __init__(self, text):
        self.s = text
        self.i = 0

    def fail(self, msg):
        raise Unreadable('%s at character %d' % (msg, self.i))

    def ws(self):
        self.i = _WS.match(self.s, self.i).end()

    def string(self):
        s = self.s
        self.i += 1  # opening quote
        out = []
        while True:
            m = _PLAIN.match(s, self.i)
            out.append(m.group())
            self.i = m.end()
            if self.i >= len(s):
                self.fail('unterminated string')
            c = s[self.i]
            if c == '"':
                self.i += 1
                return ''.join(out)
            if c != '\\':
                self.fail('control character in a string')
            e = s[self.i + 1:self.i + 2]
            if e in _ESC:
                out.append(_ESC[e])
                self.i += 2
                continue
            if e != 'u':
                self.fail('invalid escape')
            cu = self.hex4(self.i + 2)
            self.i += 6
            if 0xD800 <= cu <= 0xDBFF:
                # A high surrogate must be followed at once by an escaped low surrogate: one UTF-8 form only.
                if s[self.i:self.i + 2] == '\\u' and _HEX4.fullmatch(s, self.i + 2, self.i + 6):
                    lo = int(s[self.i + 2:self.i + 6], 16)
                    if 0xDC00 <= lo <= 0xDFFF:
                        out.append(chr(0x10000 + ((cu - 0xD800) << 10) + (lo - 0xDC00)))
                        self.i += 6
                        continue
                self.fail('lone surrogate')
            if 0xDC00 <= cu <= 0xDFFF:
                self.fail('lone surrogate')
            out.append(chr(cu))

    def hex4(self, at):
        if not _HEX4.fullmatch(self.s, at, at + 4):
            self.fail('invalid \\u escape')
        return int(self.s[at:at + 4], 16)

    def number(self):
        m = _NUMBER.match(self.s, self.i)
        if not m or m.end() == self.i:
            self.fail('invalid value')
        text = m.group()
        if m.group(1) or m.group(2):
            self.fail('number with a fraction or an exponent (%s)' % text[:40])
        if text == '-0':
            self.fail('-0')
        if len(text) > 17:  # cheap guard before int(): no safe integer has more than 16 digits
            self.fail('number beyond the safe integers')
        n = int(text)
        if abs(n) > MAX_SAFE:
            self.fail('number beyond the safe integers (%s)' % text)
        self.i = m.end()
        return n

    def value(self, depth):
        self.ws()
        s = self.s
        if self.i >= len(s):
            self.fail('unexpected end of input')
        c = s[self.i]
        if c == '{' or c == '[':
            if depth + 1 > MAX_DEPTH:
                self.fail('nesting deeper than %d' % MAX_DEPTH)
            return self.obj(depth + 1) if c == '{' else self.arr(depth + 1)
        if c == '"':
            return self.string()
        for lit, v in (('true', True), ('false', False), ('null', None)):
            if s.startswith(lit, self.i):
                self.i += len(lit)
                return v
        return self.number()

    def obj(self, depth):
        self.i += 1
        out = {}
        self.ws()
        if self.s[self.i:self.i + 1] == '}':
            self.i += 1
            return out
        while True:
            self.ws()
            if self.s[self.i:self.i + 1] != '"':
                self.fail('expected a key')
            k = self.string()
            if k in out:
                # A duplicate key lets two readers see two values (first wins, last wins).
                self.fail('duplicate key %s' % json.dumps(k)[:60])
            self.ws()
            if self.s[self.i:self.i + 1] != ':':
                self.fail("expected ':'")
            self.i += 1
            out[k] = self.value(depth)
            self.ws()
            c = self.s[self.i:self.i + 1]
            self.i += 1
            if c == '}':
                return out
            if c != ',':
                self.i -= 1
                self.fail("expected ',' or '}'")

    def arr(self, depth):
        self.i += 1
        out = []
        self.ws()
        if self.s[self.i:self.i + 1] == ']':
            self.i += 1
            return out
        while True:
            out.append(self.value(depth))
            self.ws()
            c = self.s[self.i:self.i + 1]
            self.i += 1
            if c == ']':
                return out
            if c != ',':
                self.i -= 1
                self.fail("expected ',' or ']'")

    def document(self):
        v = self.value(0)
        self.ws()
        if self.i != len(self.s):
            self.fail('text after the JSON value')
        return v


def parse_strict(text):
    return _Parser(text).document()


# The keys each object of a bundle may have (§8.1); `None` marks the free-form journal `data`.
BUNDLE_KEYS = {'format', 'lottery', 'roster', 'rosterDigest', 'commitment', 'secret', 'entropy', 'seed', 'stages',
               'journal', 'checkpoint', 'record', 'log'}
LOTTERY_KEYS = {'id', 'year', 'agency', 'title', 'stages', 'meeting', 'method', 'rehearsal'}
LOTTERY_STAGE_KEYS = {'stage', 'label', 'percent'}
MEETING_KEYS = {'name', 'date', 'venue', 'chair', 'drawer', 'monitor', 'recorder', 'witnesses'}
ROSTER_KEYS = {'id', 'name', 'unit', 'title', 'category', 'excluded'}
STAGE_KEYS = {'stage', 'percent', 'poolSize', 'quota', 'winners', 'sheet', 'balls'}
JOURNAL_KEYS = {'seq', 'at', 'type', 'actor', 'data', 'prev', 'hash'}
CHECKPOINT_KEYS = {'seq', 'hash', 'at', 'alg', 'signature', 'publicKey', 'certificate'}
RECORD_KEYS = {'sha256', 'publicSha256'}


def _unknown(obj, allowed, where):
    if is_obj(obj):
        extra = sorted(set(obj) - allowed)
        if extra:
            raise Unreadable('unknown key %s in %s' % (json.dumps(extra[0])[:60], where))


def _each_obj(v):
    return [x for x in v if is_obj(x)] if isinstance(v, list) else []


def check_bundle_keys(b):
    """Unknown keys are refused so that nothing in a bundle can be meaningful to one reader and ignored by another.
    Keys are only looked up where the value is an object; a wrong type is left for the `format` check."""
    _unknown(b, BUNDLE_KEYS, 'the bundle')
    lot = b.get('lottery')
    _unknown(lot, LOTTERY_KEYS, 'lottery')
    if is_obj(lot):
        for s in _each_obj(lot.get('stages')):
            _unknown(s, LOTTERY_STAGE_KEYS, 'lottery.stages[]')
        _unknown(lot.get('meeting'), MEETING_KEYS, 'lottery.meeting')
    for e in _each_obj(b.get('roster')):
        _unknown(e, ROSTER_KEYS, 'roster[]')
    for s in _each_obj(b.get('stages')):
        _unknown(s, STAGE_KEYS, 'stages[]')
    for e in _each_obj(b.get('journal')):
        _unknown(e, JOURNAL_KEYS, 'journal[]')
    _unknown(b.get('checkpoint'), CHECKPOINT_KEYS, 'checkpoint')
    _unknown(b.get('record'), RECORD_KEYS, 'record')
    check_log_keys(b)


def read_json_file(path, max_bytes):
    """§8.1: size from stat before reading, then UTF-8 without BOM, then strict JSON whose top level is an object."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise Unreadable('cannot read %s: %s' % (path, e.strerror or e))
    if st.st_size > max_bytes:
        raise Unreadable('file of %d bytes is larger than the limit of %d bytes' % (st.st_size, max_bytes))
    try:
        with open(path, 'rb') as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise Unreadable('cannot read %s: %s' % (path, e.strerror or e))
    if len(data) > max_bytes:  # the file grew between stat and read
        raise Unreadable('file larger than the limit of %d bytes' % max_bytes)
    if data.startswith(b'\xef\xbb\xbf'):
        raise Unreadable('byte-order mark at the start')
    try:
        text = data.decode('utf-8', errors='strict')  # also refuses UTF-8-encoded surrogates
    except UnicodeDecodeError as e:
        raise Unreadable('not UTF-8 (byte %d)' % e.start)
    v = parse_strict(text)
    if not is_obj(v):
        raise Unreadable('the top level is not an object')
    return v


# ---------------------------------------------------------------------------------------------------------------
# §1 JCS, H, §2 roster form
# ---------------------------------------------------------------------------------------------------------------

def jcs_string(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == '\\':
            out.append('\\\\')
        elif ch == '\b':
            out.append('\\b')
        elif ch == '\f':
            out.append('\\f')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        elif c < 0x20:
            out.append('\\u%04x' % c)
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def jcs(v):
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if is_int(v):
        return str(v)
    if isinstance(v, str):
        return jcs_string(v)
    if isinstance(v, list):
        return '[' + ','.join(jcs(x) for x in v) + ']'
    if isinstance(v, dict):
        # RFC 8785: keys sorted by UTF-16 code units, not by code points (they differ above U+FFFF).
        keys = sorted(v.keys(), key=lambda k: k.encode('utf-16-be'))
        return '{' + ','.join(jcs_string(k) + ':' + jcs(v[k]) for k in keys) + '}'
    raise ValueError('not hashable: %r' % (type(v),))


def H(s):
    return hashlib.sha256(s.encode('utf-8')).hexdigest()


# ECMAScript String.prototype.trim's whitespace (§2).
JS_WS = set('\u0009\u000a\u000b\u000c\u000d\u0020\u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff') | \
    {chr(c) for c in range(0x2000, 0x200B)}
BIDI = set('\u200e\u200f\u061c') | {chr(c) for c in range(0x202A, 0x202F)} | {chr(c) for c in range(0x2066, 0x206A)}


def js_trim(s):
    a, b = 0, len(s)
    while a < b and s[a] in JS_WS:
        a += 1
    while b > a and s[b - 1] in JS_WS:
        b -= 1
    return s[a:b]


def stored_form(s):
    return js_trim(unicodedata.normalize('NFC', s))


def roster_value_problem(v):
    if v == '':
        return 'empty value'
    if stored_form(v) != v:
        return 'not NFC and trimmed'
    for ch in v:
        if unicodedata.category(ch) == 'Cc' or ch in BIDI or ch == '\ufffd':
            return 'refused character U+%04X' % ord(ch)
    return None


# ---------------------------------------------------------------------------------------------------------------
# §4 seed, §5 quotas, §6 selection
# ---------------------------------------------------------------------------------------------------------------

def seed_of(protocol, lottery, digest, secret, entropy):
    return H(jcs({'protocol': protocol, 'lottery': lottery, 'rosterDigest': digest, 'secret': secret,
                  'entropy': entropy}))


def v1_entropy_problem(e):
    if stored_form(e) != e:
        return 'not NFC and trimmed'
    if not 1 <= len(e) <= 200:
        return 'not 1 to 200 code points'
    for ch in e:
        if unicodedata.category(ch) in ('Cc', 'Cf', 'Cs'):
            return 'control or format character U+%04X' % ord(ch)
    return None


def canonical_digits(s):
    """§4.1: NFKC, remove U+0020, then ^[0-9]{10,64}$; None when refused."""
    d = unicodedata.normalize('NFKC', s).replace(' ', '')
    return d if DIGITS_V2.fullmatch(d) else None


def percent_units(p):
    """Percent in 1/10,000ths when valid (§5: the grammar and 0 < p <= 100), else None. Exact integers only."""
    if not isinstance(p, str):
        return None
    m = PERCENT.fullmatch(p)
    if not m:
        return None
    units = int(m.group(1)) * 10000 + int(((m.group(2) or '') + '0000')[:4])
    return units if 0 < units <= 1000000 else None


def percent_written_form(p):
    whole, _, frac = p.partition('.')
    return not (len(whole) > 1 and whole[0] == '0') and not frac.endswith('0')


def quota(pool, units):
    return min(pool, -(-(pool * units) // 1000000))


class Arc4:
    """seedrandom 3.0.5's default generator (§6): RC4 keyed with the low 8 bits of each character, drop 256."""

    def __init__(self, key_string):
        key = [ord(ch) & 255 for ch in key_string] or [0]
        s = list(range(256))
        j = 0
        for i in range(256):
            j = (j + key[i % len(key)] + s[i]) & 255
            s[i], s[j] = s[j], s[i]
        self.s, self.i, self.j = s, 0, 0
        self.bytes(256)

    def bytes(self, count):
        r = 0
        s, i, j = self.s, self.i, self.j
        for _ in range(count):
            i = (i + 1) & 255
            j = (j + s[i]) & 255
            s[i], s[j] = s[j], s[i]
            r = r * 256 + s[(s[i] + s[j]) & 255]
        self.i, self.j = i, j
        return r

    def next32(self):
        return self.bytes(4)


def by_id(ids):
    return sorted(ids, key=lambda x: x.encode('utf-8'))


def select(seed_hex, stage, pool, count):
    rng = Arc4('%s/%d' % (seed_hex, stage))
    a = by_id(pool)
    for i in range(count):
        m = len(a) - i
        limit = 2 ** 32 - (2 ** 32 % m)
        while True:
            x = rng.next32()
            if x < limit:
                break
        j = i + x % m
        a[i], a[j] = a[j], a[i]
    return a[:count]


def excluded(entry):
    # `excluded` is a reason; an empty reason is no reason (empty optional fields are omitted, §2).
    return isinstance(entry.get('excluded'), str) and entry['excluded'] != ''


# ---------------------------------------------------------------------------------------------------------------
# RSA through openssl
# ---------------------------------------------------------------------------------------------------------------

RSA_OID = bytes.fromhex('06092a864886f70d010101')  # rsaEncryption, 1.2.840.113549.1.1.1
_PEM = re.compile(r'\s*-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]*)-----END PUBLIC KEY-----\s*')


def pem_der(pem):
    """The DER SubjectPublicKeyInfo of an SPKI PEM (§4.2, §8.3), or None when it is not one."""
    if not isinstance(pem, str):
        return None
    m = _PEM.fullmatch(pem)
    if not m:
        return None
    try:
        return base64.b64decode(re.sub(r'\s', '', m.group(1)), validate=True) or None
    except ValueError:
        return None


def _der_len(d, i):
    n = d[i]
    if n < 0x80:
        return n, i + 1
    k = n & 0x7F
    if k == 0 or k > 4 or i + 1 + k > len(d):
        raise ValueError('bad DER length')
    return int.from_bytes(d[i + 1:i + 1 + k], 'big'), i + 1 + k


def is_rsa_spki(der):
    """SEQUENCE { SEQUENCE { OID rsaEncryption, ... }, BIT STRING }: the protocol signs with RSA only (§7)."""
    try:
        if der[0] != 0x30:
            return False
        n, i = _der_len(der, 1)
        if i + n != len(der) or der[i] != 0x30:
            return False
        _, j = _der_len(der, i + 1)
        return der[j:j + len(RSA_OID)] == RSA_OID
    except (IndexError, ValueError):
        return False


def fingerprint(der):
    return 'SHA256:' + hashlib.sha256(der).hexdigest()


def der_to_pem(der):
    b = base64.b64encode(der).decode()
    return '-----BEGIN PUBLIC KEY-----\n' + '\n'.join(b[i:i + 64] for i in range(0, len(b), 64)) + \
        '\n-----END PUBLIC KEY-----\n'


class OpensslMissing(Exception):
    pass


def rs256_verify(der, message, signature_b64):
    """RSASSA-PKCS1-v1_5 with SHA-256 over the UTF-8 message; the signature in standard padded base64."""
    if der is None or not is_rsa_spki(der) or not isinstance(signature_b64, str):
        return False
    if not re.fullmatch(r'[A-Za-z0-9+/]*={0,2}', signature_b64) or len(signature_b64) % 4:
        return False  # RFC 4648 §4 only: no base64url, no white space, padded
    try:
        sig = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        return False
    with tempfile.TemporaryDirectory(prefix='verify-bundle-') as d:
        paths = {n: os.path.join(d, n) for n in ('pub.pem', 'sig.bin', 'msg.bin')}
        with open(paths['pub.pem'], 'w') as f:
            f.write(der_to_pem(der))
        with open(paths['sig.bin'], 'wb') as f:
            f.write(sig)
        with open(paths['msg.bin'], 'wb') as f:
            f.write(message.encode('utf-8'))
        try:
            r = subprocess.run(['openssl', 'dgst', '-sha256', '-verify', paths['pub.pem'], '-signature',
                                paths['sig.bin'], paths['msg.bin']], capture_output=True, timeout=60)
        except FileNotFoundError:
            raise OpensslMissing('openssl is not installed')
        return r.returncode == 0 and b'Verified OK' in r.stdout


def read_key_file(path):
    """--key: a PEM public key or certificate; its SPKI DER (RSA only). Errors are usage errors (exit 2)."""
    try:
        with open(path, 'rb') as f:
            raw = f.read(1024 * 1024)
    except OSError as e:
        raise UsageError('cannot read %s: %s' % (path, e.strerror or e))
    text = raw.decode('utf-8', errors='replace')
    der = None
    for cmd in (['openssl', 'pkey', '-pubin', '-outform', 'DER'], ['openssl', 'x509', '-pubkey', '-noout']):
        try:
            r = subprocess.run(cmd, input=raw, capture_output=True, timeout=60)
        except FileNotFoundError:
            raise OpensslMissing('openssl is not installed')
        if r.returncode == 0 and r.stdout:
            der = r.stdout if cmd[1] == 'pkey' else pem_der(r.stdout.decode('ascii', 'replace'))
            break
    if der is None and 'PUBLIC KEY' in text:
        der = pem_der(text)
    if der is None:
        raise UsageError('%s is not a PEM public key or certificate' % path)
    if not is_rsa_spki(der):
        raise UsageError('%s is not an RSA key (the protocol signs with RS256)' % path)
    return der


# ---------------------------------------------------------------------------------------------------------------
# §8.2 the checks
# ---------------------------------------------------------------------------------------------------------------

LABELS = {
    'format': ('格式', 'format'),
    'lottery.rehearsal': ('演練或正式抽籤', 'rehearsal or real lottery'),
    'roster.order': ('名冊排序與形式', 'roster order and form'),
    'roster.digest': ('名冊雜湊', 'roster digest'),
    'commitment': ('承諾值', 'commitment'),
    'seed': ('種子', 'seed'),
    'entropy.form': ('現場亂數格式', 'entropy form'),
    'randomness': ('隨機性（實體抽籤，無法驗證）', 'randomness (physical draw: not verifiable)'),
    'quotas': ('配額', 'quotas'),
    'physical.sheets': ('號次表依編號排序', 'pool sheets in id order'),
    'physical.balls': ('球號皆在號次表上且依序記錄', 'balls on the sheets, in order'),
    'winners': ('中籤名單', 'winners'),
    'journal.chain': ('紀錄雜湊鏈', 'journal chain'),
    'journal.lottery': ('紀錄中的抽籤設定', 'lottery in the journal'),
    'journal.locked': ('紀錄中的鎖定', 'lock in the journal'),
    'journal.draws': ('紀錄中的抽籤', 'draws in the journal'),
    'ceremony.opened': ('抽籤儀式開啟', 'ceremony opened'),
    'ceremony.date': ('抽籤日期', 'meeting day'),
    'record.journal': ('紀錄中的抽籤紀錄', 'record in the journal'),
    'checkpoint.head': ('檢查點位於最新紀錄', 'checkpoint at the head'),
    'checkpoint.signature': ('檢查點簽章', 'checkpoint signature'),
    'key.pinned': ('金鑰釘選', 'key pinned'),
    'commitment.observed': ('現場所見承諾值', 'observed commitment'),
    'entropy.observed': ('現場所記骰子亂數', 'observed entropy'),
    'checkpoint.observed': ('先前保存的檢查點', 'saved checkpoint'),
    'log.key': ('見證紀錄的金鑰', 'log key'),
    'log.checkpoint': ('見證紀錄的檢查點', 'log checkpoint'),
    'log.inclusion': ('紀錄樹包含本抽籤的項目', 'inclusion in the log'),
    'log.consistency': ('紀錄樹的一致性', 'log consistency'),
    'log.cosigned': ('見證人共同簽署', 'cosigned by the witnesses'),
}


def format_problem(b):
    """The `format` check: every type the other checks rely on. A failure stops every other check."""
    if b.get('format') not in ('lottery-audit-bundle/v1', 'lottery-audit-bundle/v2'):
        return 'format is not lottery-audit-bundle/v1 or /v2'
    lot = b.get('lottery')
    if not is_obj(lot):
        return 'lottery is not an object'
    if not isinstance(lot.get('id'), str) or not LOTTERY_ID.fullmatch(lot['id']):
        return 'lottery.id is not an id'
    if not is_int(lot.get('year')):
        return 'lottery.year is not an integer'
    if not isinstance(lot.get('agency'), str):
        return 'lottery.agency is not a string'
    if 'title' in lot and not isinstance(lot['title'], str):
        return 'lottery.title is not a string'
    st = lot.get('stages')
    if not isinstance(st, list) or not st or not all(
            is_obj(s) and is_int(s.get('stage')) and isinstance(s.get('label'), str)
            and isinstance(s.get('percent'), str) for s in st):
        return 'lottery.stages is not a non-empty array of {stage, label, percent}'
    if 'meeting' in lot and not is_obj(lot['meeting']):
        return 'lottery.meeting is not an object'
    if 'method' in lot and lot['method'] != 'physical':
        return 'lottery.method is present but not "physical"'
    physical = lot.get('method') == 'physical'
    # issue 11: present only for a rehearsal, and then true.
    if 'rehearsal' in lot and lot['rehearsal'] is not True:
        return 'lottery.rehearsal is present and not true'
    r = b.get('roster')
    if not isinstance(r, list) or not all(
            is_obj(e) and all(isinstance(v, str) for v in e.values()) and 'id' in e and 'name' in e for e in r):
        return 'roster is not an array of entries of strings with id and name'
    for k in ('rosterDigest', 'commitment', 'secret') + (() if physical else ('seed',)):
        if not isinstance(b.get(k), str) or not HEX64.fullmatch(b[k]):
            return '%s is not 64 lowercase hex digits' % k
    if physical and ('seed' in b or 'entropy' in b):
        return 'a physical draw has no seed and no entropy (§6.1)'
    if not physical and not isinstance(b.get('entropy'), str):
        return 'entropy is not a string'
    s = b.get('stages')
    if not isinstance(s, list) or not all(
            is_obj(x) and is_int(x.get('stage')) and is_int(x.get('poolSize')) and is_int(x.get('quota'))
            and isinstance(x.get('percent'), str) and is_str_list(x.get('winners')) for x in s):
        return 'stages is not an array of {stage, percent, poolSize, quota, winners}'
    for x in s:
        if physical and not (isinstance(x.get('sheet'), str) and HEX64.fullmatch(x['sheet'])
                             and isinstance(x.get('balls'), list) and all(is_int(n) for n in x['balls'])):
            return 'a stage of a physical draw lacks its sheet digest or its balls'
        if not physical and ('sheet' in x or 'balls' in x):
            return 'a stage has balls but the draw is not physical'
    j = b.get('journal')
    if not isinstance(j, list) or not all(is_obj(e) for e in j):
        return 'journal is not an array of objects'
    # A journal entry's missing key is not a format failure: its seven fields are the chain's to check (§8.1, §7).
    cp = b.get('checkpoint')
    if not checkpoint_form(cp):
        return 'checkpoint is not {seq, hash, at, alg: RS256, signature, publicKey, certificate?}'
    if 'record' in b:
        rec = b['record']
        if not is_obj(rec) or not isinstance(rec.get('sha256'), str) or (
                'publicSha256' in rec and not isinstance(rec['publicSha256'], str)):
            return 'record is not {sha256, publicSha256?}'
    return log_form_problem(b)


def checkpoint_form(cp):
    return (is_obj(cp) and is_int(cp.get('seq')) and all(isinstance(cp.get(k), str) for k in
            ('hash', 'at', 'signature', 'publicKey')) and cp.get('alg') == 'RS256'
            and ('certificate' not in cp or isinstance(cp['certificate'], str)))


def well_formed(e):
    """§7 field grammars."""
    return (is_int(e.get('seq')) and isinstance(e.get('at'), str) and AT.fullmatch(e['at']) is not None
            and isinstance(e.get('type'), str) and TYPE.fullmatch(e['type']) is not None
            and isinstance(e.get('actor'), str) and ACTOR.fullmatch(e['actor']) is not None
            and is_obj(e.get('data'))
            and all(isinstance(e.get(k), str) and HEX64.fullmatch(e[k]) is not None for k in ('prev', 'hash')))


def entry_hash(e):
    return H(jcs({k: e[k] for k in ('seq', 'at', 'type', 'actor', 'data', 'prev')}))


def walk_chain(journal):
    """(brokenAt or None, detail). Walks from seq 1: position i must hold seq i, well formed, linked, hashed."""
    prev = ZERO64
    for i, e in enumerate(journal, start=1):
        if not well_formed(e):
            return i, 'entry %d is malformed' % i
        if e['seq'] != i:
            return i, 'entry %d is missing (found seq %d)' % (i, e['seq'])
        if e['prev'] != prev:
            return i, 'entry %d does not link to the previous hash' % i
        if entry_hash(e) != e['hash']:
            return i, 'entry %d has a wrong hash' % i
        prev = e['hash']
    return None, '%d entries' % len(journal)


def is_stage_list(v):
    return isinstance(v, list) and all(
        is_obj(s) and is_int(s.get('stage')) and isinstance(s.get('label'), str) and isinstance(s.get('percent'), str)
        for s in v)


class Replay:
    """§8.2 Replay: what the journal says about the bundle's lottery, read from well-formed entries in bundle order
    whether or not the chain holds (a broken chain must not hide what the entries claim)."""

    def __init__(self, journal, lottery_id):
        self.created = None
        self.title = ''
        self.meeting = {}
        self.locks, self.unlocks, self.draws, self.ceremony, self.records = [], [], [], [], []
        self.method, self.sheets, self.balls = None, [], []
        self.rotations = []
        self.warnings = []
        # issue 11: the rehearsal mark, the meeting amended after the lock, a cancellation.
        self.rehearsal = False
        self.meeting_problems = []
        self.cancelled = None
        record_seen = False
        seen_draw = False
        for e in journal:
            if not well_formed(e):
                continue
            d, t = e['data'], e['type']
            if t == 'key.rotated' and isinstance(d.get('publicKey'), str):
                self.rotations.append(e)  # any lottery or none
            if d.get('lottery') != lottery_id:
                continue
            if self.created is None:
                if t == 'lottery.created' and is_int(d.get('year')) and isinstance(d.get('agency'), str) \
                        and is_stage_list(d.get('stages')):
                    self.created = e
                    self.year, self.agency, self.stages = d['year'], d['agency'], d['stages']
                    self.title = d['title'] if isinstance(d.get('title'), str) else ''
                    self.meeting = d['meeting'] if is_obj(d.get('meeting')) else {}
                    self.method = 'physical' if d.get('method') == 'physical' else None
                    self.rehearsal = d.get('rehearsal') is True
                # Entries of the lottery before its creation are ignored.
                continue
            if t == 'lottery.cancelled' and self.cancelled is None:
                self.cancelled = e
            if t == 'meeting.updated':
                # A lock is in force when the last lock so far has a greater seq than the last unlock so far.
                in_force = bool(self.locks) and self.locks[-1]['seq'] > (self.unlocks[-1]['seq'] if self.unlocks else 0)
                if not is_obj(d.get('meeting')):
                    self.meeting_problems.append('seq %d: meeting.updated without a meeting object' % e['seq'])
                elif not in_force:
                    self.meeting_problems.append('seq %d: meeting.updated when no lock is in force' % e['seq'])
                elif record_seen:
                    self.meeting_problems.append('seq %d: meeting.updated after the record was issued' % e['seq'])
                elif meeting_day(d['meeting']) != meeting_day(self.meeting) and self.draws:
                    self.meeting_problems.append('seq %d: meeting.updated moved the meeting day after stage 1 was '
                                                 'drawn' % e['seq'])
                elif meeting_day(d['meeting']) != meeting_day(self.meeting) and self.ceremony_open():
                    self.meeting_problems.append('seq %d: meeting.updated moved the meeting day while a ceremony '
                                                 'was open' % e['seq'])
                else:
                    if meeting_day(d['meeting']) != meeting_day(self.meeting):
                        self.warnings.append('seq %d: the meeting day moved from %s to %s after the lock' % (
                            e['seq'], meeting_day(self.meeting), meeting_day(d['meeting'])))
                    self.meeting = d['meeting']
            if t == 'record.issued':
                record_seen = True
            if t == 'lottery.updated':
                if isinstance(d.get('title'), str):
                    self.title = d['title']
                if is_stage_list(d.get('stages')):
                    self.stages = d['stages']
                if is_obj(d.get('meeting')):
                    self.meeting = d['meeting']
            elif t == 'lottery.locked' and isinstance(d.get('rosterDigest'), str) \
                    and isinstance(d.get('commitment'), str):
                self.locks.append(e)
                if seen_draw:
                    self.warnings.append('seq %d: a lock after the first draw' % e['seq'])
            elif t == 'lottery.unlocked':
                self.unlocks.append(e)
                if seen_draw:
                    self.warnings.append('seq %d: an unlock after the first draw' % e['seq'])
            elif t == 'stage.drawn' and is_int(d.get('stage')) and isinstance(d.get('seed'), str) \
                    and is_str_list(d.get('winners')):
                if not seen_draw and not self.locks:
                    self.warnings.append('seq %d: a draw before any lock' % e['seq'])
                seen_draw = True
                self.draws.append(e)
            elif t == 'stage.recorded' and is_int(d.get('stage')) and is_str_list(d.get('winners')) \
                    and d.get('method') == 'physical':
                # A physical draw's recorded stage (§6.1) counts as a draw.
                seen_draw = True
                self.draws.append(e)
            elif t == 'poolsheet.issued' and is_int(d.get('stage')) and is_int(d.get('poolSize')) \
                    and isinstance(d.get('sha256'), str):
                self.sheets.append(e)
            elif t in ('stage.ball', 'stage.ball.undone') and is_int(d.get('stage')) and is_int(d.get('number')):
                self.balls.append(e)
            elif t in ('ceremony.opened', 'ceremony.adjourned'):
                self.ceremony.append(e)
                if t == 'ceremony.adjourned':
                    self.warnings.append('seq %d: the ceremony was adjourned (%s)' % (
                        e['seq'], d.get('reason') if isinstance(d.get('reason'), str) else 'no reason'))
                if seen_draw and t == 'ceremony.adjourned':
                    self.warnings.append('seq %d: an adjournment after the first draw' % e['seq'])
            elif t == 'record.issued':
                self.records.append(e)
        self.first_draw = self.draws[0] if self.draws else None
        # "Before" and "between" compare seq values (protocol.md §8.2); entries are taken in bundle order.
        before = [x for x in self.locks if self.first_draw is None or self.pos(x) < self.pos(self.first_draw)]
        self.lock = before[-1] if before else None
        for x in before[:-1]:
            self.warnings.append('earlier commitment %s (seq %d), replaced by a later lock' % (
                x['data']['commitment'], x['seq']))

    def pos(self, e):
        return e['seq']

    def ceremony_open(self):
        """§8.2: the last ceremony entry so far is an opening after the last lock so far (a lock in force)."""
        if not self.locks or not self.ceremony:
            return False
        last = self.ceremony[-1]
        return last['type'] == 'ceremony.opened' and last['seq'] > self.locks[-1]['seq']


def balls_outside_ceremony(rp, lk):
    """§6.1, §8.2 ceremony.opened: every ball entry in a ceremony opened after the lock that counts, by its opener,
    and no adjournment after the first ball entry."""
    if rp.balls and any(x['type'] == 'ceremony.adjourned' and x['seq'] > rp.balls[0]['seq'] for x in rp.ceremony):
        return 'the ceremony was adjourned after a ball was in'
    for ball in rp.balls:
        before = [x for x in rp.ceremony if x['seq'] < ball['seq']]
        last = before[-1] if before else None
        if last is None or last['type'] != 'ceremony.opened' or lk is None or not last['seq'] > lk['seq']:
            return 'the ball entry at seq %d was made with no ceremony open' % ball['seq']
        if last['actor'] != ball['actor']:
            return 'the ball entry at seq %d was made by %s, the ceremony opened by %s' % (
                ball['seq'], ball['actor'], last['actor'])
    return None


def meeting_day(meeting):
    """§4.2: the meeting's day, the first 10 characters of meeting.date when it starts YYYY-MM-DD, else None."""
    date = meeting.get('date')
    return date[:10] if isinstance(date, str) and re.match(r'[0-9]{4}-[0-9]{2}-[0-9]{2}', date) else None


def verify(b, anchors_fp, anchor_key_der, observed_commitment, saved_checkpoint, observed_entropy=None,
           log_opts=None):
    checks = []
    result = {'ok': False, 'protocol': None, 'checks': checks, 'warnings': []}

    def check(name, ok, detail, not_verifiable=False):
        checks.append({'name': name, 'ok': bool(ok), 'detail': detail})
        if not_verifiable:
            # §8.2 randomness: reported, never failed (a physical draw's balls leave nothing to recompute).
            checks[-1]['notVerifiable'] = True

    problem = format_problem(b)
    if problem:
        check('format', False, problem)
        return result
    v2 = b['format'] == 'lottery-audit-bundle/v2'
    protocol = 'lottery-draw/v2' if v2 else 'lottery-draw/v1'
    result['protocol'] = protocol
    check('format', True, b['format'])
    lot, roster, stages, journal, cp = b['lottery'], b['roster'], b['stages'], b['journal'], b['checkpoint']
    lid = lot['id']

    rp = Replay(journal, lid)
    result['warnings'] = rp.warnings

    # lottery.rehearsal (issue 11): the bundle marks a rehearsal exactly when the journal created one.
    in_bundle = lot.get('rehearsal') is True
    if in_bundle != rp.rehearsal:
        check('lottery.rehearsal', False, 'the bundle marks a rehearsal, the journal a real lottery' if in_bundle
              else 'the journal created a rehearsal, the bundle does not mark it')
    else:
        check('lottery.rehearsal', True, '演練 REHEARSAL: this lottery is a rehearsal; its result selects no one'
              if in_bundle else 'a real lottery, not a rehearsal')

    # roster.order
    prob, prev = None, None
    for n, e in enumerate(roster, start=1):
        if not ROSTER_ID.fullmatch(e['id']):
            prob = 'entry %d: the id is not an id' % n
        elif e['name'] == '':
            prob = 'entry %d: empty name' % n
        else:
            for k, v in e.items():
                p = roster_value_problem(v)
                if p:
                    prob = 'entry %d (%s): %s: %s' % (n, e['id'], k, p)
                    break
        if not prob and prev is not None and not e['id'].encode() > prev.encode():
            prob = 'entry %d (%s) is not after %s' % (n, e['id'], prev)
        if prob:
            break
        prev = e['id']
    check('roster.order', not prob, prob or '%d entries in id order' % len(roster))

    # roster.digest: the roster as §2 defines it (sorted by id, non-empty fields); its values are not re-normalised.
    # An unsorted bundle roster fails roster.order, not this.
    d = H(jcs(by_roster(roster)))
    check('roster.digest', d == b['rosterDigest'], 'H(JCS(roster)) = ' + d)
    c = H(b['secret'])
    check('commitment', c == b['commitment'], 'H(secret) = ' + c)

    physical = lot.get('method') == 'physical'
    if physical:
        # A physical draw (§6.1): its own checks stand where the seed's are.
        physical_checks(b, rp, check)
    else:
        s = seed_of(protocol, lid, b['rosterDigest'], b['secret'], b['entropy'])
        if s != b['seed']:
            check('seed', False, 'the seed recomputes to ' + s)
        elif not v2 and v1_entropy_problem(b['entropy']):
            check('seed', False, 'the entropy is not in v1 form: ' + v1_entropy_problem(b['entropy']))
        else:
            check('seed', True, 'the seed recomputes (%s)' % protocol)
        if v2:
            check('entropy.form', DIGITS_V2.fullmatch(b['entropy']) is not None,
                  'the entropy is canonical digits' if DIGITS_V2.fullmatch(b['entropy']) else 'the entropy is not 10 to 64 ASCII digits')

        # quotas
        ls = lot['stages']
        units = [percent_units(x['percent']) for x in ls]
        prob = None
        if None in units:
            prob = 'lottery stage %d: invalid percent' % (units.index(None) + 1)
        elif not all(percent_written_form(x['percent']) for x in ls):
            prob = 'a percent is not in its one written form'
        elif units[0] < 50000:
            prob = "stage 1's percent is below 5"
        elif len(stages) != len(ls):
            prob = '%d bundle stages for %d lottery stages' % (len(stages), len(ls))
        else:
            pool = sum(1 for e in roster if not excluded(e))
            for i, (bs, l, u) in enumerate(zip(stages, ls, units), start=1):
                q = quota(pool, u)
                if bs['stage'] != i or l['stage'] != i:
                    prob = 'stage %d is not numbered %d' % (i, i)
                elif bs['percent'] != l['percent']:
                    prob = 'stage %d: percent %s, lottery says %s' % (i, bs['percent'], l['percent'])
                elif bs['poolSize'] != pool or bs['quota'] != q:
                    prob = 'stage %d: poolSize %d quota %d, recomputed %d and %d' % (i, bs['poolSize'], bs['quota'],
                                                                                     pool, q)
                if prob:
                    break
                pool = q
        check('quotas', not prob, prob or 'every pool size and quota recomputes')

        # winners: from the bundle's seed, with the lottery stages' percents (the configuration the journal binds), for
        # each bundle stage that has a lottery stage; a bundle stage beyond the lottery's is quotas' to fail.
        prob = None
        if None in units:
            prob = 'a percent is not valid'
        else:
            pool = [e['id'] for e in roster if not excluded(e)]
            for i, bs in enumerate(stages[:len(units)], start=1):
                w = select(b['seed'], i, pool, quota(len(pool), units[i - 1]))
                if bs['winners'] != w:
                    prob = 'stage %d: the winners recompute to %s' % (i, ', '.join(w))
                    break
                pool = w
        check('winners', not prob, prob or 'every stage recomputes')

    broken, detail = walk_chain(journal)
    check('journal.chain', broken is None, detail)
    if broken is not None:
        result['brokenAt'] = broken

    # journal.lottery
    if rp.created is None:
        check('journal.lottery', False, 'the journal does not create lottery %s' % lid)
    else:
        diffs = [k for k, a, z in (
            ('year', rp.year, lot['year']), ('agency', rp.agency, lot['agency']),
            ('title', rp.title, lot.get('title', '')),
            ('stages', jcs(rp.stages), jcs(lot['stages'])),
            ('meeting', jcs(rp.meeting), jcs(lot.get('meeting', {})))) if not (type(a) is type(z) and a == z)]
        diffs += rp.meeting_problems
        check('journal.lottery', not diffs, 'differs from the journal: ' + ', '.join(diffs) if diffs else
              'created at seq %d' % rp.created['seq'])

    # journal.locked
    lk, fd = rp.lock, rp.first_draw
    prob = None
    if lk is None or fd is None:
        prob = 'no lock before a first draw' if fd is not None else 'no draw'
    else:
        if any(rp.pos(lk) < rp.pos(u) < rp.pos(fd) for u in rp.unlocks):
            prob = 'an unlock lies between the lock and the first draw'
        elif lk['data']['rosterDigest'] != b['rosterDigest']:
            prob = 'the lock journals another roster digest'
        elif lk['data']['commitment'] != b['commitment']:
            prob = 'the lock journals another commitment'
        elif 'quotas' not in lk['data'] or jcs(lk['data']['quotas']) != jcs(
                [{'stage': x['stage'], 'percent': x['percent'], 'poolSize': x['poolSize'], 'quota': x['quota']}
                 for x in stages]):
            prob = "the lock's quotas are not the bundle's"
        elif lk['data'].get('protocol', 'lottery-draw/v1') != protocol:
            prob = 'the lock is %s, the bundle %s' % (lk['data'].get('protocol', 'lottery-draw/v1'), protocol)
    if not prob and lk is not None:
        # Every lock of the lottery that has a next lock is undone by an unlock before that next lock: "a lock that
        # does not come from draft fails", wherever it lies, a lock after the draws included (locks in bundle order).
        for a, z in zip(rp.locks, rp.locks[1:]):
            if not any(rp.pos(a) < rp.pos(u) < rp.pos(z) for u in rp.unlocks):
                prob = 'the lock at seq %d is not undone before the lock at seq %d' % (a['seq'], z['seq'])
                break
    if not prob and not v2:
        # A lottery once locked under v2 is never verified as v1 (any lock of the lottery, wherever it lies).
        v2lock = next((x for x in rp.locks if x['data'].get('protocol') == 'lottery-draw/v2'), None)
        if v2lock is not None:
            prob = 'the lottery was locked under lottery-draw/v2 at seq %d' % v2lock['seq']
    check('journal.locked', not prob, prob or 'locked at seq %d' % lk['seq'])

    if physical:
        physical_journal_draws(b, rp, check)
    else:
        # journal.draws
        prob = None
        if len(rp.draws) != len(stages):
            prob = '%d draws for %d stages' % (len(rp.draws), len(stages))
        else:
            for i, (dr, bs) in enumerate(zip(rp.draws, stages), start=1):
                dd = dr['data']
                if dd['stage'] != i or dd.get('seed') != b['seed'] or not is_int(dd.get('poolSize')) \
                        or not is_int(dd.get('quota')) or dd['poolSize'] != bs['poolSize'] \
                        or dd['quota'] != bs['quota'] or dd['winners'] != bs['winners']:
                    prob = 'draw %d (seq %d) differs from stage %d' % (i, dr['seq'], i)
                    break
                if i == 1 and (dd.get('secret') != b['secret'] or dd.get('entropy') != b['entropy']):
                    prob = "stage 1's draw journals another secret or entropy"
                    break
        if not prob and rp.cancelled is not None:
            prob = 'the lottery was cancelled at seq %d' % rp.cancelled['seq']
        check('journal.draws', not prob, prob or '%d draws' % len(rp.draws))

    if v2:
        prob = None
        if fd is None:
            prob = 'no draw'
        else:
            before = [x for x in rp.ceremony if rp.pos(x) < rp.pos(fd)]
            last = before[-1] if before else None
            if last is None or last['type'] != 'ceremony.opened':
                prob = 'no ceremony open at the first draw'
            elif last['data'].get('commitment') != b['commitment']:
                prob = 'the ceremony was opened for another commitment'
            elif lk is None or not last['seq'] > lk['seq']:
                prob = 'the ceremony was opened before the lock that counts'
            elif last['actor'] != fd['actor']:
                prob = 'stage 1 was drawn by %s, the ceremony opened by %s' % (fd['actor'], last['actor'])
            else:
                prob = balls_outside_ceremony(rp, lk)
        check('ceremony.opened', not prob, prob or 'opened at seq %d' % last['seq'])
        prob = None
        date = lot.get('meeting', {}).get('date')
        if fd is None:
            prob = 'no draw'
        elif rp.rehearsal:
            pass  # a rehearsal may be drawn on any day
        elif not isinstance(date, str):
            prob = 'lottery.meeting.date is not a string'
        else:
            td = taipei_date(fd['at'])
            off = next((x for x in rp.balls if x['data']['stage'] == 1 and taipei_date(x['at']) != date[:10]), None)
            if td is None or td != date[:10]:
                prob = 'drawn on %s (Taipei), the meeting is on %s' % (td, date[:10])
            elif off is not None:
                prob = "stage 1's ball at seq %d entered on %s (Taipei), the meeting is on %s" % (
                    off['seq'], taipei_date(off['at']), date[:10])
        check('ceremony.date', not prob, prob or ('a rehearsal, drawn on any day' if rp.rehearsal else
                                                  'drawn on the meeting day %s' % date[:10]))

    if 'record' in b:
        rec = b['record']
        full = next((r for r in rp.records if r['data'].get('public') is not True), None)
        pub = next((r for r in rp.records if r['data'].get('public') is True), None)
        prob = None
        if full is None or full['data'].get('sha256') != rec['sha256']:
            prob = 'the record hash is not journalled'
        elif 'publicSha256' in rec and (pub is None or pub['data'].get('sha256') != rec['publicSha256']):
            prob = "the public copy's hash is not journalled"
        check('record.journal', not prob, prob or 'record.issued at seq %d' % full['seq'])

    # checkpoint.head
    if broken is None:
        head = (journal[-1]['seq'], journal[-1]['hash']) if journal else (0, ZERO64)
    else:
        wf = [e for e in journal if well_formed(e)]
        head = (wf[-1]['seq'], wf[-1]['hash']) if wf else (0, ZERO64)
    check('checkpoint.head', (cp['seq'], cp['hash']) == head,
          'the head is seq %d' % head[0] if (cp['seq'], cp['hash']) == head else
          'the checkpoint is seq %d, the head seq %d' % (cp['seq'], head[0]))

    cp_der = pem_der(cp['publicKey'])
    sig_ok = rs256_verify(cp_der, jcs({'seq': cp['seq'], 'hash': cp['hash'], 'at': cp['at']}), cp['signature'])
    if cp_der is not None and not is_rsa_spki(cp_der):
        check('checkpoint.signature', False, 'not an RSA key')
    else:
        check('checkpoint.signature', sig_ok, 'verifies' if sig_ok else 'does not verify')

    anchor_sets = anchored_sets(anchors_fp, anchor_key_der, cp_der, rp.rotations)
    if not anchor_sets:
        check('key.pinned', False, 'not pinned: give --fingerprint or --key')
    else:
        ok = cp_der is not None and all(cp_der in s for s in anchor_sets)
        check('key.pinned', ok, ('pinned: ' if ok else 'the checkpoint key is not anchored: ') +
              (fingerprint(cp_der) if cp_der else 'no key'))

    if observed_commitment is not None:
        ok = b['commitment'].startswith(observed_commitment.lower())
        check('commitment.observed', ok, 'the commitment %s %s' % ('starts with' if ok else 'does not start with',
                                                                   observed_commitment.lower()))

    if observed_entropy is not None:
        # observed_entropy is already the canonical digits (§4.1) of the dice given with --entropy.
        ok = b.get('entropy', '') == observed_entropy
        check('entropy.observed', ok, 'the entropy %s the dice %s' % ('is' if ok else 'is not', observed_entropy))

    if saved_checkpoint is not None:
        prob = None
        sc = saved_checkpoint
        if not anchor_sets:
            prob = 'no trust anchor'
        elif not checkpoint_form(sc):
            prob = 'the saved checkpoint is not a checkpoint'
        else:
            der = pem_der(sc['publicKey'])
            if der is None or not all(der in s for s in anchor_sets):
                prob = "the saved checkpoint's key is not anchored"
            elif not rs256_verify(der, jcs({'seq': sc['seq'], 'hash': sc['hash'], 'at': sc['at']}),
                                  sc['signature']):
                prob = "the saved checkpoint's signature does not verify"
            elif not (sc['seq'] == 0 and sc['hash'] == ZERO64):
                at = next((e for e in journal if well_formed(e) and e['seq'] == sc['seq']), None)
                if at is None or at['hash'] != sc['hash']:
                    prob = 'the journal does not hold the saved checkpoint'
                elif broken is not None and broken <= sc['seq']:
                    prob = 'the chain breaks at or before the saved checkpoint'
        check('checkpoint.observed', not prob, prob or 'the journal extends the saved checkpoint')

    # issue 13: the witnessed log (§10), when the bundle has one or a log flag asks for it.
    log_checks(b, check, *(log_opts or (None, None, None)))

    result['ok'] = all(x['ok'] for x in checks)
    return result


def physical_pools(b):
    """§8.2, physical draw: stage 1's pool the roster's non-excluded ids, stage k+1's bundle stage k's winners."""
    pools, pool = [], [e['id'] for e in b['roster'] if not excluded(e)]
    for i in range(len(b['lottery']['stages'])):
        pools.append(pool)
        pool = b['stages'][i]['winners'] if i < len(b['stages']) else []
    return pools


def sheet_sha(lid, stage, pool):
    return H(jcs({'lottery': lid, 'stage': stage, 'entries': by_id(pool)}))


def on_sheet(sheet, n):
    return sheet[n - 1] if 1 <= n <= len(sheet) else None


def stage_balls(rp, stage, sheet):
    """§6.1: the standing balls of one stage, and whether a ball or an undo broke a rule."""
    standing, prob, last_was_ball = [], None, False
    for e in rp.balls:
        d = e['data']
        if d['stage'] != stage:
            continue
        n = d['number']
        if e['type'] == 'stage.ball':
            entry = d['entry'] if isinstance(d.get('entry'), str) else ''
            if not 1 <= n <= len(sheet):
                prob = prob or 'stage %d seq %d: ball %d is not on the sheet' % (stage, e['seq'], n)
            elif sheet[n - 1] != entry:
                prob = prob or 'stage %d seq %d: ball %d is not %s on the sheet' % (stage, e['seq'], n, entry)
            if any(x['data']['number'] == n for x in standing):
                prob = prob or 'stage %d seq %d: ball %d drawn twice' % (stage, e['seq'], n)
            standing.append(e)
            last_was_ball = True
        else:
            reason = d['reason'] if isinstance(d.get('reason'), str) else ''
            if not last_was_ball or not standing or standing[-1]['data']['number'] != n:
                prob = prob or 'stage %d seq %d: undoing ball %d, not the last ball entered' % (stage, e['seq'], n)
            else:
                standing.pop()
            if js_trim(reason) == '':
                prob = prob or 'stage %d seq %d: ball %d undone without a reason' % (stage, e['seq'], n)
            last_was_ball = False
    return standing, prob


def physical_checks(b, rp, check):
    """§8.2 for a physical draw, after commitment: randomness, quotas, physical.sheets, physical.balls, winners."""
    lot, stages, lid = b['lottery'], b['stages'], b['lottery']['id']
    check('randomness', True, 'not verifiable: physical draw (the balls were drawn from a drum)', True)
    pools = physical_pools(b)
    ls = lot['stages']
    units = [percent_units(x['percent']) for x in ls]
    prob = None
    if None in units:
        prob = 'a stage percent is not valid'
    elif not all(percent_written_form(x['percent']) for x in ls):
        prob = 'a percent is not in its one written form'
    elif units[0] < 50000:
        prob = "stage 1's percent is below 5"
    elif len(stages) != len(ls):
        prob = '%d bundle stages for %d lottery stages' % (len(stages), len(ls))
    else:
        for i, (bs, l, u) in enumerate(zip(stages, ls, units), start=1):
            pool = pools[i - 1]
            q = quota(len(pool), u)
            if bs['stage'] != i or l['stage'] != i:
                prob = 'stage %d is not numbered %d' % (i, i)
            elif bs['percent'] != l['percent']:
                prob = 'stage %d: percent %s, lottery says %s' % (i, bs['percent'], l['percent'])
            elif bs['poolSize'] != len(pool) or bs['quota'] != q:
                prob = 'stage %d: poolSize %d quota %d, recomputed %d and %d' % (
                    i, bs['poolSize'], bs['quota'], len(pool), q)
            elif len(bs['winners']) != q:
                prob = 'stage %d: %d winners, the quota is %d' % (i, len(bs['winners']), q)
            if prob:
                break
    check('quotas', not prob, prob or 'every pool size and quota recomputes, and is met')

    prob = None
    for i, bs in enumerate(stages):
        if i >= len(pools):
            continue
        want = sheet_sha(lid, bs['stage'], pools[i])
        first_ball = next((e['seq'] for e in rp.balls if e['data']['stage'] == bs['stage']), None)
        js = [e for e in rp.sheets if e['data']['stage'] == bs['stage'] and (first_ball is None or e['seq'] < first_ball)]
        if bs['sheet'] != want:
            prob = 'stage %d: the sheet digest is not that of its pool in id order' % bs['stage']
        elif not js:
            prob = 'stage %d: no poolsheet.issued before its first ball' % bs['stage']
        elif js[-1]['data']['sha256'] != want or js[-1]['data']['poolSize'] != len(pools[i]):
            prob = 'stage %d: the journalled sheet is not its pool in id order' % bs['stage']
        if prob:
            break
    check('physical.sheets', not prob, prob or 'every sheet numbers its pool in id order')

    prob = None
    if rp.created is None:
        prob = 'no such lottery in the journal'
    for i, bs in enumerate(stages):
        if prob:
            break
        sheet = by_id(pools[i]) if i < len(pools) else []
        standing, prob = stage_balls(rp, bs['stage'], sheet)
        if prob:
            break
        if [x['data']['number'] for x in standing] != bs['balls']:
            prob = "stage %d: the journal's balls are not the bundle's" % bs['stage']
            break
        rec = next((x for x in rp.draws if x['data']['stage'] == bs['stage']), None)
        if rec is not None:
            rd = rec['data']
            if any(x['data']['stage'] == bs['stage'] and x['seq'] > rec['seq'] for x in rp.balls):
                prob = 'stage %d: a ball entry after it was recorded' % bs['stage']
            elif is_int(rd.get('poolSize')) and is_int(rd.get('quota')) and len(standing) != rd['quota']:
                prob = 'stage %d: recorded with %d balls for a quota of %d' % (bs['stage'], len(standing), rd['quota'])
    if not prob and rp.created is not None:
        numbers = {bs['stage'] for bs in stages}
        stray = next((x for x in rp.balls if x['data']['stage'] not in numbers), None)
        if stray is not None:
            prob = 'a ball at seq %d for a stage not recorded' % stray['seq']
    check('physical.balls', not prob, prob or 'every ball is on its sheet, in order')

    prob = None
    for i, bs in enumerate(stages):
        sheet = by_id(pools[i]) if i < len(pools) else []
        named = [on_sheet(sheet, n) for n in bs['balls']]
        rec = next((x for x in rp.draws if x['data']['stage'] == bs['stage']), None)
        if named != bs['winners']:
            prob = "stage %d: the balls do not name the bundle's winners" % bs['stage']
        elif rec is not None and rec['data']['winners'] != bs['winners']:
            prob = 'stage %d: stage.recorded names other winners' % bs['stage']
        if prob:
            break
    check('winners', not prob, prob or 'the winners are the balls drawn')


def physical_journal_draws(b, rp, check):
    """journal.draws for a physical draw (§8.2)."""
    stages, prob = b['stages'], None
    if rp.created is None:
        prob = 'no such lottery in the journal'
    elif rp.method != 'physical':
        prob = 'the journal did not create the lottery as a physical draw'
    elif len(rp.draws) != len(stages):
        prob = '%d recorded stages for %d stages' % (len(rp.draws), len(stages))
    else:
        for i, (dr, bs) in enumerate(zip(rp.draws, stages), start=1):
            dd = dr['data']
            if dr['type'] != 'stage.recorded':
                prob = 'stage %d was drawn by seed at seq %d' % (dd['stage'], dr['seq'])
            elif dd['stage'] != i or not is_int(dd.get('poolSize')) or not is_int(dd.get('quota')) \
                    or dd['poolSize'] != bs['poolSize'] or dd['quota'] != bs['quota'] \
                    or dd['winners'] != bs['winners']:
                prob = 'recorded stage %d (seq %d) differs from stage %d' % (i, dr['seq'], i)
            if prob:
                break
    if not prob and rp.cancelled is not None:
        prob = 'the lottery was cancelled at seq %d' % rp.cancelled['seq']
    check('journal.draws', not prob, prob or '%d recorded stages' % len(rp.draws))


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic, any year)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil(days):
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return '%04d-%02d-%02d' % (yoe + era * 400 + (m <= 2), m, d)


def taipei_date(at):
    """§4.2: the date part of `at` + 8 h, in the proleptic Gregorian calendar, or None for no real instant.

    Day counts rather than datetime: datetime has no year 0 and overflows past 9999, and a hostile bundle may
    hold either; the result must not depend on the platform's calendar library."""
    m = re.fullmatch(r'(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z', at) if isinstance(at, str) else None
    if not m:
        return None
    y, mo, d, h, mi, se = (int(x) for x in m.groups())
    if not 1 <= mo <= 12 or h > 23 or mi > 59 or se > 59:
        return None
    days = _days_from_civil(y, mo, d)
    if _civil(days) != at[:10]:
        return None
    return _civil(days + (1 if h + 8 >= 24 else 0))


def anchored_sets(fp, key_der, cp_der, rotations):
    """§8.3: for each trust anchor given, the set of keys `cur` takes walking the endorsed rotations."""
    sets = []
    if fp is not None:
        candidates = [cp_der] + [pem_der(r['data'].get(k)) for r in rotations for k in
                                 ('previousPublicKey', 'publicKey')]
        anchor = next((k for k in candidates if k is not None and fingerprint(k).lower() == fp.lower()), None)
        sets.append(walk_rotations(anchor, rotations) if anchor is not None else set())
    if key_der is not None:
        sets.append(walk_rotations(key_der, rotations))
    return sets


def walk_rotations(anchor, rotations):
    cur, took = anchor, {anchor}
    for r in rotations:
        d = r['data']
        prev = pem_der(d.get('previousPublicKey'))
        if prev is not None and prev == cur and rs256_verify(cur, jcs({'publicKey': d['publicKey']}),
                                                             d.get('endorsement')):
            nxt = pem_der(d['publicKey'])
            if nxt is None:
                break
            cur = nxt
            took.add(cur)
    return took


# ---------------------------------------------------------------------------------------------------------------
# vectors
# ---------------------------------------------------------------------------------------------------------------

def draw_stages(seed_hex, percents, pool):
    out = []
    for n, p in enumerate(percents, start=1):
        q = quota(len(pool), percent_units(p))
        w = select(seed_hex, n, pool, q)
        out.append({'stage': n, 'percent': p, 'poolSize': len(pool), 'quota': q, 'winners': w})
        pool = w
    return out


def check_vectors(path, out):
    v = read_json_file(path, DEFAULT_MAX_BYTES)
    ok = True

    def report(good, name):
        nonlocal ok
        ok = ok and good
        out.write('%s %s\n' % ('PASS' if good else 'FAIL', name))

    if 'vector1' in v:  # draw-v1.json
        v1 = v['vector1']
        d = H(jcs(by_roster(v1['roster'])))
        s = seed_of('lottery-draw/v1', v1['lottery'], d, v1['secret'], v1['entropy'])
        st = draw_stages(s, [x['percent'] for x in v1['expect']['stages']],
                         [e['id'] for e in v1['roster'] if not excluded(e)])
        report(d == v1['expect']['rosterDigest'], 'vector1 rosterDigest')
        report(H(v1['secret']) == v1['expect']['commitment'], 'vector1 commitment')
        report(s == v1['expect']['seed'], 'vector1 seed')
        report(st == v1['expect']['stages'], 'vector1 stages')
    if 'vector2' in v:
        v2 = v['vector2']
        st2 = draw_stages(v2['seed'], [x['percent'] for x in v2['expect']['stages']],
                          ['P%04d' % i for i in range(1, 1181)])
        report(st2 == v2['expect']['stages'], 'vector2 stages')
    if 'quotas' in v:
        bad = [q for q in v['quotas'] if quota(q['pool'], percent_units(q['percent'])) != q['quota']]
        report(not bad, '%d quota cases%s' % (len(v['quotas']), (': ' + json.dumps(bad[:3])) if bad else ''))
    # draw-v2.json: "ceremony" (the room typed `typed`, reduced to `entropy`, hashed with the v2 preimage) and
    # "entropy" (canonicalisation cases {input, digits}, digits null when refused).
    cer = v.get('ceremony')
    if is_obj(cer):
        exp = cer['expect']
        report(canonical_digits(cer['typed']) == cer['entropy'], 'ceremony typed -> canonical digits')
        d = H(jcs(by_roster(cer['roster'])))
        report(d == exp['rosterDigest'], 'ceremony rosterDigest')
        report(H(cer['secret']) == exp['commitment'], 'ceremony commitment')
        pre = jcs({'protocol': 'lottery-draw/v2', 'lottery': cer['lottery'], 'rosterDigest': d,
                   'secret': cer['secret'], 'entropy': cer['entropy']})
        if 'seedPreimage' in exp:
            report(pre == exp['seedPreimage'], 'ceremony seed preimage')
        s = H(pre)
        report(s == exp['seed'], 'ceremony seed')
        st = draw_stages(s, [x['percent'] for x in cer['stages']],
                         [e['id'] for e in cer['roster'] if not excluded(e)])
        report(st == exp['stages'], 'ceremony stages')
    cases = v.get('entropy')
    if isinstance(cases, list):
        bad = [c for c in cases if canonical_digits(c['input']) != c['digits']]
        report(not bad, '%d canonicalisation cases%s' % (len(cases), (': ' + json.dumps(bad[:3])) if bad else ''))
    return ok


def by_roster(entries):
    """§2: the roster digest's input: entries sorted by id, each with its non-empty fields only."""
    fields = ['id', 'name', 'unit', 'title', 'category', 'excluded']
    rows = sorted(entries, key=lambda e: e['id'].encode('utf-8'))
    return [{f: e[f] for f in fields if isinstance(e.get(f), str) and e[f] != ''} for e in rows]


# ---------------------------------------------------------------------------------------------------------------
# §10 the witnessed log (issue 13): RFC 9162 tree, C2SP signed notes and cosignatures, Ed25519 through openssl
# ---------------------------------------------------------------------------------------------------------------

SPKI_ED25519 = bytes.fromhex('302a300506032b6570032100')  # RFC 8410: the SPKI DER of an Ed25519 key, minus the key
SIG_ED25519, SIG_COSIGNATURE_V1 = 0x01, 0x04
B64_STD = re.compile(r'[A-Za-z0-9+/]*={0,2}')
LOG_KEYS = {'key', 'checkpoint', 'cosignatures', 'inclusion', 'consistency'}
COSIGNER_KEYS = {'name', 'role', 'keyName', 'publicKey', 'timestamp'}
INCLUSION_KEYS = {'seq', 'proof'}
CONSISTENCY_KEYS = {'from', 'to', 'proof'}


def check_log_keys(b):
    log = b.get('log')
    _unknown(log, LOG_KEYS, 'log')
    if is_obj(log):
        for e in _each_obj(log.get('cosignatures')):
            _unknown(e, COSIGNER_KEYS, 'log.cosignatures[]')
        for e in _each_obj(log.get('inclusion')):
            _unknown(e, INCLUSION_KEYS, 'log.inclusion[]')
        _unknown(log.get('consistency'), CONSISTENCY_KEYS, 'log.consistency')


def log_form_problem(b):
    """§8.1 `log`, when present: its shape only (what it proves is the log checks')."""
    if 'log' not in b:
        return None
    log = b['log']
    if not is_obj(log) or not isinstance(log.get('key'), str) or not isinstance(log.get('checkpoint'), str):
        return 'log is not {key, checkpoint, cosignatures, inclusion, consistency}'
    cos = log.get('cosignatures')
    if not isinstance(cos, list) or not all(
            is_obj(c) and all(isinstance(c.get(k), str) for k in ('name', 'role', 'keyName', 'publicKey'))
            and is_int(c.get('timestamp')) for c in cos):
        return 'log.cosignatures is malformed'
    inc = log.get('inclusion')
    if not isinstance(inc, list) or not all(is_obj(p) and is_int(p.get('seq')) and is_str_list(p.get('proof'))
                                            for p in inc):
        return 'log.inclusion is malformed'
    con = log.get('consistency')
    if not (is_obj(con) and is_int(con.get('from')) and is_int(con.get('to')) and is_str_list(con.get('proof'))):
        return 'log.consistency is malformed'
    return None


def sha256b(data):
    return hashlib.sha256(data).digest()


def b64_canonical(s):
    """Standard padded base64 that re-encodes to itself, or None."""
    if not isinstance(s, str) or not B64_STD.fullmatch(s) or len(s) % 4:
        return None
    try:
        raw = base64.b64decode(s, validate=True)
    except ValueError:
        return None
    return raw if base64.b64encode(raw).decode() == s else None


def key_id(name, typ, pub):
    """signed-note: SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4], big-endian."""
    return int.from_bytes(sha256b(name.encode('utf-8') + bytes([0x0a, typ]) + pub)[:4], 'big')


def valid_key_name(name):
    return (0 < len(name) <= 256 and not re.search(r'[\s+\u007f\u0085\u00a0]', name)
            and not any(ord(ch) < 0x20 for ch in name))


def parse_vkey(text):
    """`NAME+KEYID+BASE64(type ‖ key)`: (name, id, type, key) when the key ID is the one its parts give, else None."""
    m = re.fullmatch(r'([^+]+)\+([^+]+)\+(.+)', text, re.S) if isinstance(text, str) else None
    if not m or not valid_key_name(m.group(1)) or not re.fullmatch(r'[0-9a-f]{8}', m.group(2)):
        return None
    raw = b64_canonical(m.group(3))
    if raw is None or len(raw) != 33 or raw[0] not in (SIG_ED25519, SIG_COSIGNATURE_V1):
        return None
    name, typ, pub = m.group(1), raw[0], raw[1:]
    return (name, int(m.group(2), 16), typ, pub) if int(m.group(2), 16) == key_id(name, typ, pub) else None


def parse_note(note):
    """C2SP signed note: (text, [(name, id, sig)]): the text up to the last blank line, then signature lines only."""
    if not isinstance(note, str) or len(note.encode('utf-8', 'surrogatepass')) > 64 * 1024:
        return None
    if any(ord(ch) < 0x20 and ch != '\n' for ch in note) or not note.endswith('\n'):
        return None
    sep = note.rfind('\n\n')
    if sep < 0:
        return None
    text, lines = note[:sep + 1], note[sep + 2:-1].split('\n')
    if not 1 <= len(lines) <= 64:
        return None
    sigs = []
    for line in lines:
        m = re.fullmatch(r'\u2014 (\S+) (\S+)', line)
        raw = b64_canonical(m.group(2)) if m else None
        if not m or not valid_key_name(m.group(1)) or raw is None or len(raw) < 5:
            return None
        sigs.append((m.group(1), int.from_bytes(raw[:4], 'big'), raw[4:]))
    return text, sigs


def parse_checkpoint_body(text):
    """tlog-checkpoint: (origin, size, root) from `origin\\nsize\\nbase64 root\\n[extension lines]`."""
    if not text.endswith('\n'):
        return None
    lines = text[:-1].split('\n')
    if len(lines) < 3 or lines[0] == '' or not re.fullmatch(r'0|[1-9][0-9]{0,15}', lines[1]):
        return None
    size, root = int(lines[1]), b64_canonical(lines[2])
    if size > MAX_SAFE or root is None or len(root) != 32 or '' in lines[3:]:
        return None
    return lines[0], size, root


def ed25519_verify(pub, message, sig):
    """`openssl pkeyutl -verify -pubin -inkey PUB.pem -rawin -in MSG -sigfile SIG`, PUB.pem from the raw key."""
    if len(pub) != 32 or len(sig) != 64:
        return False
    with tempfile.TemporaryDirectory(prefix='verify-bundle-') as d:
        paths = {n: os.path.join(d, n) for n in ('pub.pem', 'sig.bin', 'msg.bin')}
        with open(paths['pub.pem'], 'w') as f:
            f.write(der_to_pem(SPKI_ED25519 + pub))
        with open(paths['sig.bin'], 'wb') as f:
            f.write(sig)
        with open(paths['msg.bin'], 'wb') as f:
            f.write(message)
        try:
            r = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', paths['pub.pem'], '-rawin',
                                '-in', paths['msg.bin'], '-sigfile', paths['sig.bin']],
                               capture_output=True, timeout=60)
        except FileNotFoundError:
            raise OpensslMissing('openssl is not installed')
        return r.returncode == 0 and b'Signature Verified Successfully' in r.stdout


def note_signed_by(note, key):
    """The log's signature (type 0x01): at least one line by the key (name and ID), every one of them valid."""
    text, sigs = note
    mine = [s for n, i, s in sigs if (n, i) == (key[0], key[1])]
    return key[2] == SIG_ED25519 and bool(mine) and all(
        len(s) == 64 and ed25519_verify(key[3], text.encode('utf-8'), s) for s in mine)


def cosigned_at(note, key):
    """A cosignature/v1 (type 0x04) by the key: exactly one line, u64 timestamp ‖ signature; its time, or None."""
    text, sigs = note
    mine = [s for n, i, s in sigs if (n, i) == (key[0], key[1])]
    if key[2] != SIG_COSIGNATURE_V1 or len(mine) != 1 or len(mine[0]) != 72:
        return None
    t = int.from_bytes(mine[0][:8], 'big')
    msg = ('cosignature/v1\ntime %d\n' % t + text).encode('utf-8')
    return t if t <= MAX_SAFE and ed25519_verify(key[3], msg, mine[0][8:]) else None


def leaf_hash(leaf):
    return sha256b(b'\x00' + leaf)


def node_hash(left, right):
    return sha256b(b'\x01' + left + right)


def split_point(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaf_hashes, start, end):
    """RFC 9162 §2.1.1 MTH of leaves [start, end); the empty tree's is SHA-256 of nothing."""
    n = end - start
    if n == 0:
        return sha256b(b'')
    if n == 1:
        return leaf_hashes[start]
    k = split_point(n)
    return node_hash(mth(leaf_hashes, start, start + k), mth(leaf_hashes, start + k, end))


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node_hash(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn // 2, sn // 2
        else:
            r = node_hash(r, p)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and r == root


def verify_consistency(first_size, second_size, first, second, proof):
    """RFC 9162 §2.1.4.2."""
    if not 1 <= first_size <= second_size:
        return False
    if first_size == second_size:
        return not proof and first == second
    if not proof:
        return False
    path = ([first] + list(proof)) if first_size & (first_size - 1) == 0 else list(proof)
    fn, sn = first_size - 1, second_size - 1
    while fn % 2 == 1:
        fn, sn = fn // 2, sn // 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn // 2, sn // 2
        else:
            sr = node_hash(sr, c)
        fn, sn = fn // 2, sn // 2
    return sn == 0 and fr == first and sr == second


def lottery_sizes(entries, lid):
    """(N_L, S_open), §10: N_L the seq of the entry closing the last stage of the lottery's definition as it last
    stood; S_open the last ceremony.opened before stage 1 was drawn (physical: before N_L), else the last lock."""
    mine = [e for e in entries if e['data'].get('lottery') == lid]
    n = None
    for e in mine:
        if e['type'] in ('lottery.created', 'lottery.updated') and isinstance(e['data'].get('stages'), list):
            n = len(e['data']['stages'])
    last = next((e for e in mine if e['type'] in ('stage.drawn', 'stage.recorded') and n and n >= 1
                 and e['data'].get('stage') == n and is_int(e['data'].get('stage'))), None)
    if last is None:
        return None, None
    first = last if last['type'] == 'stage.recorded' else next(
        (e for e in mine if e['type'] == 'stage.drawn' and e['data'].get('stage') == 1
         and is_int(e['data'].get('stage'))), None)
    bound = first['seq'] if first else last['seq']
    opened = locked = None
    for e in entries:  # in journal order, up to the first entry at or after the bound
        if e['seq'] >= bound:
            break
        if e['data'].get('lottery') == lid and e['type'] == 'ceremony.opened':
            opened = e['seq']
        if e['data'].get('lottery') == lid and e['type'] == 'lottery.locked':
            locked = e['seq']
    return last['seq'], (opened if opened is not None else locked)


def proof_hashes(proof):
    out = [b64_canonical(p) for p in proof]
    return out if all(h is not None and len(h) == 32 for h in out) else None


def log_checks(b, check, log_key, witness_keys, witnesses):
    """§8.2 log.key, log.checkpoint, log.inclusion, log.consistency and (with witness flags) log.cosigned."""
    cosign = witness_keys is not None or witnesses is not None
    names = ['log.key', 'log.checkpoint', 'log.inclusion', 'log.consistency'] + (['log.cosigned'] if cosign else [])
    if 'log' not in b:
        if log_key is not None or cosign:
            for n in names:
                check(n, False, 'the bundle has no log')
        return
    log, lid = b['log'], b['lottery']['id']
    entries = [e for e in b['journal'] if well_formed(e)]
    size, opened = lottery_sizes(entries, lid)
    key = parse_vkey(log['key'])
    key = key if key and key[2] == SIG_ED25519 else None
    note = parse_note(log['checkpoint'])
    body = parse_checkpoint_body(note[0]) if note else None
    leaves = None
    if size is not None and len(entries) >= size and all(
            entries[i]['seq'] == i + 1 for i in range(size)):
        leaves = [leaf_hash(bytes.fromhex(e['hash'])) for e in entries[:size]]
    # log.key
    prob = None
    if key is None:
        prob = 'the log key is not an Ed25519 verifier key'
    elif log_key is not None:
        pinned = parse_vkey(log_key)
        if not pinned or pinned[2] != SIG_ED25519 or (pinned[0], pinned[3]) != (key[0], key[3]):
            prob = 'the log key is not the pinned --log-key'
    elif size is None:
        prob = 'N_L is unknown: the lottery has no final stage entry'
    else:
        lk = [e for e in entries if e['type'] == 'log.key' and e['seq'] <= size]
        if not lk:
            prob = 'no log.key entry at or before N_L, and no --log-key'
        elif lk[-1]['data'].get('key') != log['key']:
            prob = "the log key is not the journal's last log.key entry"
    if prob is None and body is None:
        prob = 'the checkpoint note cannot be read'
    elif prob is None and body[0] != key[0]:
        prob = "the checkpoint's origin is not the log key's name"
    check('log.key', not prob, prob or 'the log key %s' % key[0])
    # log.checkpoint
    prob = None
    if body is None:
        prob = 'the checkpoint is not a signed note with a checkpoint body'
    elif key is None or not note_signed_by(note, key):
        prob = "the log's signature does not verify"
    elif size is None or body[1] != size:
        prob = 'the checkpoint is not at N_L'
    elif leaves is None:
        prob = 'the journal lacks entries up to N_L'
    elif mth(leaves, 0, size) != body[2]:
        prob = "the checkpoint's root is not the journal's tree"
    check('log.checkpoint', not prob, prob or 'signed, size %d' % size)
    # log.inclusion
    probs = []
    if body is None or size is None:
        probs.append('no checkpoint or no N_L')
    else:
        wanted = {e['seq']: e for e in entries if e['data'].get('lottery') == lid and e['seq'] <= size}
        seen = set()
        for p in log['inclusion']:
            hs = proof_hashes(p['proof'])
            e = wanted.get(p['seq'])
            if e is None:
                probs.append('a proof for seq %d, not an entry of the lottery' % p['seq'])
            elif p['seq'] in seen:
                probs.append('two proofs for seq %d' % p['seq'])
            elif hs is None or not verify_inclusion(p['seq'] - 1, body[1], leaf_hash(bytes.fromhex(e['hash'])),
                                                    hs, body[2]):
                probs.append('the proof of seq %d does not verify' % p['seq'])
            seen.add(p['seq'])
        probs += ['no proof for seq %d' % s for s in wanted if s not in seen]
    check('log.inclusion', not probs, '; '.join(probs[:10]) or 'every entry of the lottery is in the tree')
    # log.consistency
    con, prob = log['consistency'], None
    if size is None or opened is None:
        prob = 'no ceremony.opened and final stage entry'
    elif (con['from'], con['to']) != (opened, size):
        prob = 'the proof is not from S_open to N_L'
    elif body is None or leaves is None:
        prob = 'no checkpoint or no tree'
    else:
        hs = proof_hashes(con['proof'])
        if hs is None or not verify_consistency(opened, size, mth(leaves, 0, opened), body[2], hs):
            prob = 'the consistency proof does not verify'
    check('log.consistency', not prob, prob or 'from %s to %s' % (opened, size))
    if not cosign:
        return
    # log.cosigned
    keys, prob = [], None
    for text in witness_keys or []:
        k = parse_vkey(text)
        if not k or k[2] != SIG_COSIGNATURE_V1:
            prob = 'a witness key is not a cosigner key (type 0x04)'
        elif k not in keys:
            keys.append(k)
    k_needed = len(keys) if witnesses is None else witnesses
    if prob is None and k_needed > 0 and not keys:
        prob = 'no witness key pinned'
    elif prob is None and k_needed > len(keys):
        prob = 'a quorum of %d needs more witness keys than %d' % (k_needed, len(keys))
    elif prob is None and body is None:
        prob = 'the checkpoint is not a signed note with a checkpoint body'
    if prob is None:
        signed = [k[0] for k in keys if cosigned_at(note, k) is not None]
        if len(signed) < k_needed:
            prob = '%d of %d pinned witnesses cosigned, %d needed' % (len(signed), len(keys), k_needed)
    check('log.cosigned', not prob, prob or 'quorum %d met' % k_needed)


def read_vkey_arg(value, typ, what, file_only=False):
    """--log-key VKEY|FILE, --witness-key FILE: a verifier key of the type, else a usage error (exit 2)."""
    k = None if file_only else parse_vkey(value.strip())
    if k and k[2] == typ:
        return value.strip()
    try:
        with open(value, 'rb') as f:
            text = f.read(64 * 1024 + 1).decode('utf-8', errors='replace').strip()
    except OSError as e:
        raise UsageError('cannot read %s: %s' % (what, e.strerror or e))
    k = parse_vkey(text)
    if not k or k[2] != typ:
        raise UsageError('%s does not hold a %s verifier key' % (value, what))
    return text


# ---------------------------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------------------------

OPTIONS = {'key', 'fingerprint', 'commitment', 'entropy', 'checkpoint', 'max-bytes', 'json', 'help',
           'log-key', 'witness-key', 'witnesses'}
REPEATABLE = {'witness-key'}
BOOLEAN = {'json', 'help'}


def parse_args(argv):
    positional, flags = [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith('--'):
            if '=' in a:
                name, val = a[2:].split('=', 1)
            else:
                name = a[2:]
                nxt = argv[i + 1] if i + 1 < len(argv) else None
                if name in BOOLEAN or nxt is None or nxt.startswith('--'):
                    val = True
                else:
                    val, i = nxt, i + 1
            if name == 'pdf':
                raise UsageError('--pdf (record.pdf.*) is not implemented by this reference; use npx lottery verify')
            if name not in OPTIONS:
                raise UsageError('unknown option --%s' % name)
            if name in flags and name not in REPEATABLE:
                raise UsageError('--%s given twice' % name)
            if (name in BOOLEAN) != (val is True):
                raise UsageError('--%s %s' % (name, 'takes no value' if name in BOOLEAN else 'needs a value'))
            if name in REPEATABLE:
                flags.setdefault(name, []).append(val)
            else:
                flags[name] = val
        else:
            positional.append(a)
        i += 1
    return positional, flags


def safe_text(s):
    """Escape what a terminal would obey or hide (control, bidi and other format characters)."""
    return ''.join('\\u%04x' % ord(c) if unicodedata.category(c) in ('Cc', 'Cf', 'Zl', 'Zp') or
                   0xD800 <= ord(c) <= 0xDFFF else c for c in s)


def dump_json(v):
    text = json.dumps(v, ensure_ascii=False, indent=2)
    return ''.join('\\u%04x' % ord(c) if unicodedata.category(c) in ('Cf', 'Zl', 'Zp') or
                   0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def main(argv, out, err):
    json_out = '--json' in argv
    try:
        positional, flags = parse_args(argv)
        if flags.get('help'):
            out.write(__doc__)
            return 0
        if len(positional) == 2 and positional[0] == 'vectors':
            return 0 if check_vectors(positional[1], out) else 1
        if len(positional) != 1:
            raise UsageError('give one bundle file')
        max_bytes = DEFAULT_MAX_BYTES
        if 'max-bytes' in flags:
            if not re.fullmatch(r'[0-9]{1,15}', flags['max-bytes']) or int(flags['max-bytes']) < 1:
                raise UsageError('--max-bytes takes a positive integer')
            max_bytes = int(flags['max-bytes'])
        fp = flags.get('fingerprint')
        if fp is not None and not re.fullmatch(r'SHA256:[0-9a-fA-F]{64}', fp):
            raise UsageError('--fingerprint takes SHA256: and 64 hex digits')
        commitment = flags.get('commitment')
        # §8.3: "16 to 64 hex digits in either case (anything else is a usage error, exit 2)".
        if commitment is not None and not re.fullmatch(r'[0-9a-fA-F]{16,64}', commitment):
            raise UsageError('--commitment takes 16 to 64 hex digits')
        dice = None
        if 'entropy' in flags:
            # §8.3: the dice as read aloud, in any spelling §4.1 accepts; no canonical digits is a usage error.
            dice = canonical_digits(flags['entropy'])
            if dice is None:
                raise UsageError('--entropy takes the dice: 10 to 64 digits (§4.1)')
        key_der = read_key_file(flags['key']) if 'key' in flags else None
        bundle = read_json_file(positional[0], max_bytes)
        check_bundle_keys(bundle)
        saved = None
        if 'checkpoint' in flags:
            saved = read_json_file(flags['checkpoint'], max_bytes)
            _unknown(saved, CHECKPOINT_KEYS, 'the saved checkpoint')
            # §8.3: a saved checkpoint that lacks a field of the right type makes the input unreadable.
            if not checkpoint_form(saved):
                raise Unreadable('the saved checkpoint is not a checkpoint')
        witnesses = flags.get('witnesses')
        if witnesses is not None and not re.fullmatch(r'[0-9]{1,3}', witnesses):
            raise UsageError('--witnesses takes how many witnesses must have cosigned: 0-999')
        log_opts = (
            read_vkey_arg(flags['log-key'], SIG_ED25519, 'log key') if 'log-key' in flags else None,
            [read_vkey_arg(f, SIG_COSIGNATURE_V1, 'witness key', True) for f in flags['witness-key']]
            if 'witness-key' in flags else None,
            int(witnesses) if witnesses is not None else None)
        report = verify(bundle, fp, key_der, commitment, saved, dice, log_opts)
    except UsageError as e:
        err.write('usage error: %s\n' % safe_text(str(e)))
        if json_out:
            out.write(dump_json({'ok': False, 'protocol': None, 'checks': [], 'warnings': [],
                                 'error': str(e)}) + '\n')
        return 2
    except Unreadable as e:
        if json_out:
            out.write(dump_json({'ok': False, 'protocol': None, 'checks': [], 'warnings': [],
                                 'error': str(e)}) + '\n')
        else:
            err.write('unreadable input: %s\n' % safe_text(str(e)))
        return 2
    except OpensslMissing as e:
        err.write('cannot verify: %s\n' % e)
        return 2
    if json_out:
        out.write(dump_json(report) + '\n')
    else:
        # A rehearsal is said before anything else (lottery.rehearsal passing for a rehearsal).
        if any(c['name'] == 'lottery.rehearsal' and c['ok'] and c['detail'].startswith('演練')
               for c in report['checks']):
            out.write('演練 REHEARSAL: 此為演練，結果不拘束任何人 / a rehearsal: its result selects no one\n')
        for c in report['checks']:
            zh, en = LABELS.get(c['name'], ('', c['name']))
            out.write('%s  %s (%s / %s): %s\n' % ('N/A ' if c.get('notVerifiable') else 'PASS' if c['ok'] else 'FAIL', c['name'], zh, en,
                                                  safe_text(c['detail'])))
        for w in report['warnings']:
            out.write('WARN  %s\n' % safe_text(w))
        if 'brokenAt' in report:
            out.write('journal broken at seq %d\n' % report['brokenAt'])
        out.write('OK: every check holds\n' if report['ok'] else 'FAILED: at least one check does not hold\n')
    return 0 if report['ok'] else 1


if __name__ == '__main__':
    sys.setrecursionlimit(10000)
    try:
        code = main(sys.argv[1:], sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        code = 2
    except BaseException as e:  # never a traceback and exit 1 on hostile input: an internal error is exit 2
        try:
            sys.stderr.write('internal error: %s: %s\n' % (type(e).__name__, safe_text(str(e))[:500]))
        except BaseException:
            pass
        code = 2
    sys.exit(code)
