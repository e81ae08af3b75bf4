#!/usr/bin/env python3
"""Independent reference of lottery-draw/v1, written from docs/protocol.md with no code shared with the service.

Usage:
  python3 docs/reference/draw_v1.py vectors FILE.json     check the protocol test vectors
  python3 docs/reference/draw_v1.py bundle BUNDLE.json    recompute digest, commitment, seed, quotas and winners

Only the standard library. JCS here covers what the protocol hashes (strings, integers, booleans, null,
arrays, objects): keys sorted by UTF-16 code units, no whitespace, strings escaped as RFC 8785 requires.
"""
import hashlib
import json
import sys


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


def utf16_key(k):
    return k.encode('utf-16-be')


def jcs(v):
    if v is None:
        return 'null'
    if v is True:
        return 'true'
    if v is False:
        return 'false'
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return jcs_string(v)
    if isinstance(v, list):
        return '[' + ','.join(jcs(x) for x in v) + ']'
    if isinstance(v, dict):
        keys = sorted(v.keys(), key=utf16_key)
        return '{' + ','.join(jcs_string(k) + ':' + jcs(v[k]) for k in keys) + '}'
    raise ValueError('not hashable in lottery-draw/v1: %r' % (v,))


def H(s):
    return hashlib.sha256(s.encode('utf-8')).hexdigest()


FIELDS = ['id', 'name', 'unit', 'title', 'category', 'excluded']


def roster_digest(entries):
    rows = sorted(entries, key=lambda e: e['id'].encode('utf-8'))
    return H(jcs([{f: e[f] for f in FIELDS if isinstance(e.get(f), str) and e[f] != ''} for e in rows]))


def seed(lottery, digest, secret, entropy):
    return H(jcs({'protocol': 'lottery-draw/v1', 'lottery': lottery, 'rosterDigest': digest,
                  'secret': secret, 'entropy': entropy}))


def quota(pool, percent):
    whole, _, frac = percent.partition('.')
    units = int(whole) * 10000 + int((frac + '0000')[:4])  # 1/10,000ths of a percent
    num = pool * units
    return min(pool, -(-num // 1000000))


class Arc4:
    """seedrandom 3.0.5's default generator: RC4 keyed with the low 8 bits of each character, drop 256."""

    def __init__(self, seed_string):
        # seedrandom's mixkey() reduces to this for keys shorter than 256 characters; ours are 66 to 68.
        assert 0 < len(seed_string) < 256
        key = [ord(ch) & 255 for ch in seed_string]
        keylen = len(key)
        s = list(range(256))
        j = 0
        for i in range(256):
            t = s[i]
            j = (j + key[i % keylen] + t) & 255
            s[i] = s[j]
            s[j] = t
        self.s, self.i, self.j = s, 0, 0
        self.g(256)

    def g(self, count):
        r = 0
        s, i, j = self.s, self.i, self.j
        for _ in range(count):
            i = (i + 1) & 255
            t = s[i]
            j = (j + t) & 255
            s[i] = s[j]
            s[j] = t
            r = r * 256 + s[(s[i] + s[j]) & 255]
        self.i, self.j = i, j
        return r


def select(seed_hex, stage, pool, count):
    rng = Arc4('%s/%d' % (seed_hex, stage))
    a = sorted(pool, key=lambda x: x.encode('utf-8'))
    for i in range(count):
        m = len(a) - i
        limit = 2 ** 32 - (2 ** 32 % m)
        while True:
            x = rng.g(4)
            if x < limit:
                break
        j = i + x % m
        a[i], a[j] = a[j], a[i]
    return a[:count]


def draw(seed_hex, percents, pool):
    out = []
    for n, p in enumerate(percents, start=1):
        q = quota(len(pool), p)
        w = select(seed_hex, n, pool, q)
        out.append({'stage': n, 'percent': p, 'poolSize': len(pool), 'quota': q, 'winners': w})
        pool = w
    return out


def check_vectors(path):
    v = json.load(open(path, encoding='utf-8'))
    ok = True
    v1 = v['vector1']
    d = roster_digest(v1['roster'])
    c = H(v1['secret'])
    s = seed(v1['lottery'], d, v1['secret'], v1['entropy'])
    pool = [e['id'] for e in v1['roster'] if not e.get('excluded')]
    st = draw(s, [x['percent'] for x in v1['expect']['stages']], pool)
    for name, got, want in [('rosterDigest', d, v1['expect']['rosterDigest']), ('commitment', c, v1['expect']['commitment']),
                            ('seed', s, v1['expect']['seed']), ('vector1 stages', st, v1['expect']['stages'])]:
        print(('PASS' if got == want else 'FAIL'), name)
        ok = ok and got == want
    p2 = ['P%04d' % i for i in range(1, 1181)]
    st2 = draw(v['vector2']['seed'], [x['percent'] for x in v['vector2']['expect']['stages']], p2)
    print(('PASS' if st2 == v['vector2']['expect']['stages'] else 'FAIL'), 'vector2 stages')
    ok = ok and st2 == v['vector2']['expect']['stages']
    for q in v['quotas']:
        good = quota(q['pool'], q['percent']) == q['quota']
        ok = ok and good
        if not good:
            print('FAIL quota', q)
    print(('PASS' if ok else 'FAIL'), '%d quota cases' % len(v['quotas']))
    return ok


def reject_float(text):
    raise ValueError('number with a fraction or exponent: %s' % text)


def check_bundle(path):
    try:
        b = json.load(open(path, encoding='utf-8'), parse_float=reject_float, parse_constant=reject_float)
    except ValueError as e:
        print('FAIL format:', e)
        return False
    ok = True
    d = roster_digest(b['roster'])
    s = seed(b['lottery']['id'], d, b['secret'], b['entropy'])
    pool = [e['id'] for e in b['roster'] if not e.get('excluded')]
    st = draw(s, [x['percent'] for x in b['lottery']['stages']], pool)
    for name, got, want in [('rosterDigest', d, b['rosterDigest']), ('commitment', H(b['secret']), b['commitment']),
                            ('seed', s, b['seed']), ('stages', st, b['stages'])]:
        print(('PASS' if got == want else 'FAIL'), name)
        ok = ok and got == want
    prev = '0' * 64
    for i, e in enumerate(b['journal'], start=1):
        h = H(jcs({k: e[k] for k in ['seq', 'at', 'type', 'actor', 'data', 'prev']}))
        if e['seq'] != i or e['prev'] != prev or h != e['hash']:
            print('FAIL journal chain at seq', i)
            return False
        prev = h
    print('PASS journal chain,', len(b['journal']), 'entries')
    return ok


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[1] not in ('vectors', 'bundle'):
        print(__doc__)
        sys.exit(2)
    sys.exit(0 if (check_vectors if sys.argv[1] == 'vectors' else check_bundle)(sys.argv[2]) else 1)
