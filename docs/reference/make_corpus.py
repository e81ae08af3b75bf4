#!/usr/bin/env python3
"""Hostile audit bundles made from one genuine bundle, for differential testing of verifiers (protocol.md §8).

Usage:
  python3 docs/reference/make_corpus.py GENUINE.json OUTDIR --key GENUINE_PRIVATE.pem
  python3 docs/reference/make_corpus.py GENUINE_LOG.json OUTDIR --key GENUINE_PRIVATE.pem --log-key LOG_PRIVATE.pem
          --witness NAME=PRIVATE.pem --witness NAME=PRIVATE.pem
      the witnessed log's cases (issue 13, §10): a bundle with a log whose note the two witnesses cosigned; Ed25519
      signing through `openssl pkeyutl -sign -rawin`

Writes OUTDIR/NN-name.json for each case, a stranger's key pair (stranger.pem, stranger.pub.pem), and
OUTDIR/cases.json: [{file, description, args, exit, failing}], where `args` are extra command-line arguments of
the case (besides the bundle file and the trust anchor the caller gives), `exit` the expected exit code when
verified with the genuine key's `--fingerprint`, and `failing` the expected set of failing check names (empty for
exit 0 and exit 2).

Python standard library and `openssl` only; nothing is shared with the TypeScript service. It reuses the hashing
and selection primitives of verify_bundle.py (JCS, H, seedrandom ARC4), because a case that must re-chain the
journal or re-draw the winners needs them; the expectations themselves are written by hand from protocol.md.

Cases that re-chain the journal recompute every hash (§7) and re-sign the checkpoint with the genuine private key,
so that only the check under test can fail.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_bundle as vb  # noqa: E402

V2_ONLY = {'entropy.form', 'ceremony.opened', 'ceremony.date'}


def openssl(args, data=None):
    r = subprocess.run(['openssl'] + args, input=data, capture_output=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError('openssl %s: %s' % (' '.join(args), r.stderr.decode(errors='replace')))
    return r.stdout


def public_pem(private_pem_file):
    return openssl(['pkey', '-in', private_pem_file, '-pubout']).decode()


def sign(private_pem_file, message):
    with tempfile.NamedTemporaryFile() as f:
        f.write(message.encode('utf-8'))
        f.flush()
        sig = openssl(['dgst', '-sha256', '-sign', private_pem_file, f.name])
    import base64
    return base64.b64encode(sig).decode()


def rechain(journal):
    """§7: seq from 1, prev linking, every hash recomputed after an edit."""
    prev = vb.ZERO64
    for i, e in enumerate(journal, start=1):
        e['seq'] = i
        e['prev'] = prev
        e['hash'] = vb.entry_hash(e)
        prev = e['hash']
    return journal


def resign(b, private_pem_file, public_key_pem=None):
    """A checkpoint of the journal's head signed with the given key (the genuine one unless stated)."""
    j = b['journal']
    cp = b['checkpoint']
    cp['seq'], cp['hash'] = (j[-1]['seq'], j[-1]['hash']) if j else (0, vb.ZERO64)
    if public_key_pem is not None:
        cp['publicKey'] = public_key_pem
        cp.pop('certificate', None)
    cp['signature'] = sign(private_pem_file, vb.jcs({'seq': cp['seq'], 'hash': cp['hash'], 'at': cp['at']}))
    return b


def dumps(b):
    return json.dumps(b, ensure_ascii=False, separators=(',', ':'))


def lottery_entries(b, type_):
    lid = b['lottery']['id']
    return [e for e in b['journal'] if e['type'] == type_ and e['data'].get('lottery') == lid]


def redraw(b, protocol):
    """Recompute seed and winners of a bundle from its own secret and entropy (§4, §6) and put them in the
    bundle and in the journal's draws, so that a consistent forgery can be built."""
    b['commitment'] = vb.H(b['secret'])
    b['seed'] = vb.seed_of(protocol, b['lottery']['id'], b['rosterDigest'], b['secret'], b['entropy'])
    pool = [e['id'] for e in b['roster'] if not vb.excluded(e)]
    for st in b['stages']:
        w = vb.select(b['seed'], st['stage'], pool, vb.quota(len(pool), vb.percent_units(st['percent'])))
        st['winners'] = w
        pool = w
    for n, d in enumerate(lottery_entries(b, 'stage.drawn')):
        d['data']['seed'] = b['seed']
        d['data']['winners'] = list(b['stages'][n]['winners'])
        if n == 0:
            d['data']['secret'] = b['secret']
            d['data']['entropy'] = b['entropy']
    for e in lottery_entries(b, 'lottery.locked') + lottery_entries(b, 'ceremony.opened'):
        e['data']['commitment'] = b['commitment']
    return b


def index_of(b, type_, nth=0):
    lid = b['lottery']['id']
    hits = [i for i, e in enumerate(b['journal']) if e['type'] == type_ and e['data'].get('lottery') == lid]
    return hits[nth]


def make(genuine_path, outdir, key_file):
    with open(genuine_path, encoding='utf-8') as f:
        g = json.load(f)
    v2 = g['format'] == 'lottery-audit-bundle/v2'
    protocol = 'lottery-draw/v2' if v2 else 'lottery-draw/v1'
    os.makedirs(outdir, exist_ok=True)
    stranger = os.path.join(outdir, 'stranger.pem')
    if not os.path.exists(stranger):
        openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072', '-out', stranger])
    stranger_pub = public_pem(stranger)
    with open(os.path.join(outdir, 'stranger.pub.pem'), 'w') as f:
        f.write(stranger_pub)
    cases = []

    def add(name, description, failing=(), exit_code=None, text=None, bundle=None, args=(), v2_only=False):
        if v2_only and not v2:
            return
        failing = set(failing) if v2 else set(failing) - V2_ONLY
        if exit_code is None:
            exit_code = 1 if failing else 0
        fname = '%02d-%s.json' % (len(cases) + 1, name)
        data = (text if text is not None else dumps(bundle))
        with open(os.path.join(outdir, fname), 'wb') as f:
            f.write(data if isinstance(data, bytes) else data.encode('utf-8'))
        cases.append({'file': fname, 'description': description, 'args': list(args), 'exit': exit_code,
                      'failing': sorted(failing) if exit_code == 1 else []})

    def c():
        return copy.deepcopy(g)

    def resigned(b):
        return resign(b, key_file)

    winners1 = g['stages'][0]['winners']
    excluded_entry = next((e for e in g['roster'] if vb.excluded(e)), None)

    # ---- the genuine bundle, rewritten by this program: it must still pass (the writer changes nothing) ----
    add('genuine', 'the genuine bundle, re-serialised compactly', bundle=c())

    if g['lottery'].get('method') == 'physical':
        # A physical draw (§6.1) has its own cases; the random draw's below speak of a seed it does not have.
        physical_cases(g, add, c, resigned)
        with open(os.path.join(outdir, 'cases.json'), 'w', encoding='utf-8') as f:
            json.dump(cases, f, ensure_ascii=False, indent=1)
        return cases

    # ---- each field edited ----
    b = c(); b['roster'][0]['name'] += '改'
    add('roster-name', 'a roster name edited', {'roster.digest'}, bundle=b)
    b = c()
    w = next(e for e in b['roster'] if e['id'] == winners1[0]); w['excluded'] = '機關首長'
    add('excluded-winner', 'an excluded flag added to a stage-1 winner, digest and seed kept',
        {'roster.digest', 'quotas', 'winners'}, bundle=b)
    b = c(); b['rosterDigest'] = vb.H('another roster')
    add('roster-digest', 'rosterDigest replaced', {'roster.digest', 'seed', 'journal.locked'}, bundle=b)
    b = c(); b['commitment'] = vb.H('another commitment')
    add('commitment', 'commitment replaced', {'commitment', 'journal.locked', 'ceremony.opened'}, bundle=b)
    b = c(); b['secret'] = vb.H('another secret')
    add('secret', 'secret replaced (bundle only)', {'commitment', 'seed', 'journal.draws'}, bundle=b)
    b = c(); b['entropy'] = b['entropy'][:-1] + ('1' if b['entropy'][-1] != '1' else '2')
    add('entropy', 'entropy edited by one digit (bundle only)', {'seed', 'journal.draws'}, bundle=b)
    b = c()
    # A forged seed whose winners differ from the bundle's, chosen so the expectation is certain.
    n = 0
    while True:
        s = vb.H('forged seed %d' % n)
        pool = [e['id'] for e in b['roster'] if not vb.excluded(e)]
        if vb.select(s, 1, pool, b['stages'][0]['quota']) != winners1:
            break
        n += 1
    b['seed'] = s
    add('seed', 'seed replaced', {'seed', 'winners', 'journal.draws'}, bundle=b)
    b = c(); b['stages'][0]['percent'] = '20'
    add('stage-percent', "bundle stage 1's percent 10 -> 20 (the lottery's stages untouched)",
        {'quotas', 'journal.locked'}, bundle=b)
    b = c(); b['lottery']['stages'][0]['percent'] = '20'
    add('lottery-percent', "lottery stage 1's percent 10 -> 20 (the bundle's stages untouched)",
        {'quotas', 'winners', 'journal.lottery'}, bundle=b)
    b = c(); b['lottery']['stages'][0]['percent'] = '10.0'
    add('percent-form', "lottery stage 1's percent written 10.0", {'quotas', 'journal.lottery'}, bundle=b)
    b = c(); b['stages'][0]['poolSize'] += 1
    add('pool-size', "stage 1's poolSize + 1", {'quotas', 'journal.locked', 'journal.draws'}, bundle=b)
    b = c(); b['stages'][0]['quota'] += 1
    add('quota', "stage 1's quota + 1", {'quotas', 'journal.locked', 'journal.draws'}, bundle=b)
    b = c(); b['stages'][0]['winners'][0] = excluded_entry['id'] if excluded_entry else 'D999'
    add('winner-replaced', 'a stage-1 winner replaced by the excluded entry', {'winners', 'journal.draws'}, bundle=b)
    b = c(); b['stages'][0]['winners'] = [winners1[0], winners1[0]]
    add('winner-duplicate', 'stage-1 winners: one id twice', {'winners', 'journal.draws'}, bundle=b)
    b = c(); b['format'] = 'lottery-audit-bundle/v3'
    add('format', 'an unknown format', {'format'}, bundle=b)
    b = c(); b['checkpoint']['alg'] = 'HS256'
    add('checkpoint-alg', 'checkpoint alg HS256', {'format'}, bundle=b)
    b = c(); del b['journal'][0]['actor']
    add('journal-missing-key', "a journal entry without its actor key (the chain's to check, §8.1)",
        {'journal.chain'}, bundle=b)
    b = c(); b['record'] = {'sha256': vb.H('no such record')}
    add('record', 'a record hash that no record.issued journals', {'record.journal'}, bundle=b)

    # ---- lists reordered ----
    b = c(); b['roster'].reverse()
    add('roster-reversed', 'roster in reverse order (the digest is of the roster sorted, §8.2)', {'roster.order'},
        bundle=b)
    b = c(); b['stages'][0]['winners'].reverse()
    add('winners-reversed', "stage 1's winners in reverse order", {'winners', 'journal.draws'}, bundle=b)
    b = c(); b['stages'].reverse()
    add('stages-reversed', 'stages in reverse order', {'quotas', 'winners', 'journal.locked', 'journal.draws'},
        bundle=b)
    b = c(); b['journal'][0], b['journal'][1] = b['journal'][1], b['journal'][0]
    add('journal-swapped', 'journal entries 1 and 2 swapped', {'journal.chain'}, bundle=b)

    # ---- duplicates ----
    if excluded_entry:
        b = c(); i = b['roster'].index(next(e for e in b['roster'] if e['id'] == excluded_entry['id']))
        b['roster'].insert(i + 1, copy.deepcopy(excluded_entry))
        add('roster-duplicate-id', 'the excluded roster entry twice', {'roster.order', 'roster.digest'}, bundle=b)
    t = dumps(c()).replace('"format":', '"format":"lottery-audit-bundle/v1","format":', 1)
    add('duplicate-key-top', 'a duplicate top-level key', exit_code=2, text=t)
    # The first entry's first data key, repeated (the journal begins with log.key since issue 13, not user.added).
    t = dumps(c())
    k = t[t.index('"data":{"') + 9:].split('"', 1)[0]
    t = t.replace('"data":{', '"data":{"%s":"x",' % k, 1)
    add('duplicate-key-data', 'a duplicate key inside journal data', exit_code=2, text=t)
    t = dumps(c()).replace('"format":', '"form\\u0061t":"x","format":', 1)
    add('duplicate-key-escaped', 'a duplicate key spelt with an escape', exit_code=2, text=t)

    # ---- Unicode ----
    b = c(); b['roster'][0]['name'] = 'Jose\u0301'
    add('name-nfd', 'a name in NFD (e + combining acute)', {'roster.order', 'roster.digest'}, bundle=b)
    b = c(); b['roster'][0]['name'] = b['roster'][0]['name'][:1] + '\u200b' + b['roster'][0]['name'][1:]
    add('name-zwsp', 'a ZERO WIDTH SPACE inside a name (Cf, not refused in the roster by §2)', {'roster.digest'},
        bundle=b)
    b = c(); b['roster'][0]['name'] = b['roster'][0]['name'] + '\u202e'
    add('name-bidi', 'a RIGHT-TO-LEFT OVERRIDE in a name', {'roster.order', 'roster.digest'}, bundle=b)
    b = c(); b['roster'][0]['name'] = ' ' + b['roster'][0]['name']
    add('name-untrimmed', 'a name with a leading space', {'roster.order', 'roster.digest'}, bundle=b)
    b = c(); b['entropy'] = b['entropy'][:1] + '\ufe0f' + b['entropy'][1:]
    add('entropy-vs', 'a variation selector inside the entropy (bundle only)',
        {'seed', 'entropy.form', 'journal.draws'}, bundle=b)
    t = dumps(c()).replace('"name":"', '"name":"\\ud800', 1)
    add('lone-surrogate', 'a lone surrogate escape in a name', exit_code=2, text=t)
    add('bom', 'a UTF-8 byte-order mark before the JSON', exit_code=2, text=b'\xef\xbb\xbf' + dumps(c()).encode())
    add('not-utf8', 'a byte that is not UTF-8 in a string', exit_code=2,
        text=dumps(c()).encode().replace(b'"name":"', b'"name":"\xff', 1))

    # ---- numbers ----
    yr = g['lottery']['year']
    t = dumps(c()).replace('"year":%d' % yr, '"year":%d.0' % yr, 1)
    add('number-fraction', 'lottery.year written %d.0' % yr, exit_code=2, text=t)
    t = dumps(c()).replace('"stage":1,', '"stage":1e0,', 1)
    add('number-exponent', 'a stage number written 1e0', exit_code=2, text=t)
    t = dumps(c()).replace('"year":%d' % yr, '"year":9007199254740992', 1)
    add('number-2p53', 'lottery.year 2^53 (not a safe integer)', exit_code=2, text=t)
    b = c(); b['lottery']['year'] = 2 ** 53 - 1
    add('number-max-safe', 'lottery.year 2^53 - 1 (a safe integer, but not the journalled year)',
        {'journal.lottery'}, bundle=b)
    b = c(); b['stages'][0]['poolSize'] = -b['stages'][0]['poolSize']
    add('number-negative', "stage 1's poolSize negative", {'quotas', 'journal.locked', 'journal.draws'}, bundle=b)
    t = dumps(c()).replace('"year":%d' % yr, '"year":-0', 1)
    add('number-minus-zero', 'lottery.year -0', exit_code=2, text=t)
    t = dumps(c()).replace('"year":%d' % yr, '"year":NaN', 1)
    add('number-nan', 'lottery.year NaN', exit_code=2, text=t)

    # ---- keys ----
    t = dumps(c()).replace('"format":', '"__proto__":{"polluted":true},"format":', 1)
    add('proto-top', 'a __proto__ key at the top level', exit_code=2, text=t)
    t = dumps(c()).replace('"id":"', '"__proto__":"x","id":"', 1)
    add('proto-roster', 'a __proto__ key in a roster entry', exit_code=2, text=t)
    b = c(); b['journal'][0]['data']['__proto__'] = {'isAdmin': True}; rechain(b['journal']); resigned(b)
    add('proto-data', 'a __proto__ key inside journal data, re-chained and re-signed: data is free-form', bundle=b)
    b = c(); b['extra'] = 1
    add('extra-top', 'an extra top-level key', exit_code=2, bundle=b)
    b = c(); b['stages'][0]['note'] = 'x'
    add('extra-stage', 'an extra key in a stage', exit_code=2, bundle=b)
    b = c(); b['journal'][0]['note'] = 'x'
    add('extra-journal', 'an extra key in a journal entry', exit_code=2, bundle=b)
    b = c(); b['lottery']['meeting'] = dict(b['lottery'].get('meeting', {}), room='x')
    add('extra-meeting', 'an extra key in lottery.meeting', exit_code=2, bundle=b)

    # ---- nesting: top-level object 1, journal 2, entry 3, data 4, then k arrays ----
    def nested(k):
        v = 0
        for _ in range(k):
            v = [v]
        return v
    b = c(); b['journal'][0]['data']['deep'] = nested(28); rechain(b['journal']); resigned(b)
    add('depth-32', 'nesting exactly 32 deep inside journal data, re-chained and re-signed', bundle=b)
    b = c(); b['journal'][0]['data']['deep'] = nested(29); rechain(b['journal']); resigned(b)
    add('depth-33', 'nesting 33 deep inside journal data', exit_code=2, bundle=b)
    add('depth-huge', '100000 nested arrays', exit_code=2,
        text='{"format":' + '[' * 100000 + ']' * 100000 + '}')

    # ---- stages dropped or added ----
    b = c(); b['stages'].pop()
    add('stage-dropped', 'the last stage dropped', {'quotas', 'journal.locked', 'journal.draws'}, bundle=b)
    b = c(); last = b['stages'][-1]
    b['stages'].append({'stage': last['stage'] + 1, 'percent': last['percent'], 'poolSize': last['quota'],
                        'quota': vb.quota(last['quota'], vb.percent_units(last['percent'])),
                        'winners': vb.select(b['seed'], last['stage'] + 1, last['winners'],
                                             vb.quota(last['quota'], vb.percent_units(last['percent'])))})
    add('stage-added', 'a stage added after the last, its winners drawn correctly from the seed',
        {'quotas', 'journal.locked', 'journal.draws'}, bundle=b)

    # ---- journal ----
    b = c(); b['journal'][1]['at'] = '2000-01-01T00:00:00.000Z'
    add('journal-edited', 'journal entry 2 edited without re-chaining', {'journal.chain'}, bundle=b)
    b = c(); b['journal'][1]['actor'] = 'user:'
    add('journal-malformed', 'journal entry 2 with a malformed actor', {'journal.chain'}, bundle=b)
    b = c(); b['journal'].pop()
    add('journal-truncated', 'the last journal entry cut off', {'journal.draws', 'checkpoint.head'}, bundle=b)
    b = c(); b['journal'].pop(); resigned(b)
    add('journal-truncated-resigned', 'the last journal entry cut off, checkpoint re-signed at the new head',
        {'journal.draws'}, bundle=b)
    b = c()
    other = 'zz-otherdb'
    for e in b['journal']:
        if e['data'].get('lottery') == b['lottery']['id']:
            e['data']['lottery'] = other
    rechain(b['journal'])
    add('other-database-journal', "journal replaced by another database's consistent journal (other lottery ids), "
        'checkpoint kept', {'journal.lottery', 'journal.locked', 'journal.draws', 'ceremony.opened',
                            'ceremony.date', 'checkpoint.head'}, bundle=b)
    b = c(); b['lottery']['id'] = g['lottery']['id'][:-1] + ('x' if g['lottery']['id'][-1] != 'x' else 'y')
    add('other-lottery', 'lottery.id changed (another lottery of the same database)',
        {'seed', 'journal.lottery', 'journal.locked', 'journal.draws', 'ceremony.opened', 'ceremony.date'},
        bundle=b)
    b = c(); b['format'] = 'lottery-audit-bundle/v1' if v2 else 'lottery-audit-bundle/v2'
    add('format-swapped', 'the format names the other protocol version',
        {'seed', 'journal.locked'} if v2 else {'seed', 'journal.locked', 'entropy.form', 'ceremony.opened',
                                               'ceremony.date'}, bundle=b, v2_only=True)
    b = c(); i = index_of(b, 'lottery.locked')
    b['journal'].insert(i + 1, {'seq': 0, 'at': b['journal'][i]['at'], 'type': 'lottery.unlocked',
                                'actor': b['journal'][i]['actor'], 'data': {'lottery': b['lottery']['id'],
                                                                            'reason': 'forged'},
                                'prev': '', 'hash': ''})
    rechain(b['journal']); resigned(b)
    add('unlock-before-draw', 'an unlock between the lock and the draw, re-chained and re-signed',
        {'journal.locked'}, bundle=b)

    # ---- a lock outside draft, and a v2 lottery verified as v1 (§8.2 journal.locked) ----
    def unlock_entry(b, like):
        return {'seq': 0, 'at': like['at'], 'type': 'lottery.unlocked', 'actor': like['actor'], 'prev': '',
                'hash': '', 'data': {'lottery': b['lottery']['id'], 'reason': 'roster corrected'}}
    b = c(); j = b['journal']; i = index_of(b, 'lottery.locked')
    j.insert(i + 1, copy.deepcopy(j[i])); rechain(j); resigned(b)
    add('lock-twice', 'the genuine lock journalled twice with no unlock between (a lock outside draft), '
        're-chained and re-signed', {'journal.locked'}, bundle=b)
    b = c(); j = b['journal']; i = index_of(b, 'lottery.locked')
    early = copy.deepcopy(j[i]); early['data']['commitment'] = vb.H('an earlier secret')
    j.insert(i, early); rechain(j); resigned(b)
    add('relocked-without-unlock', 'an earlier lock for another commitment, not undone by an unlock before the '
        'lock that counts, re-chained and re-signed', {'journal.locked'}, bundle=b)
    # "A lock that does not come from draft fails" wherever it lies: also a lock after the draws (§8.2).
    b = c(); j = b['journal']; j.append(copy.deepcopy(j[index_of(b, 'lottery.locked')])); rechain(j); resigned(b)
    add('lock-after-draws', 'the genuine lock journalled again after the draws with no unlock between, re-chained '
        'and re-signed', {'journal.locked'}, bundle=b)
    b = c(); j = b['journal']; lk = copy.deepcopy(j[index_of(b, 'lottery.locked')])
    j.extend([unlock_entry(b, lk), lk]); rechain(j); resigned(b)
    add('relock-after-draws', 'an unlock and a lock journalled after the draws (each lock comes from draft; '
        'warnings only), re-chained and re-signed', bundle=b)
    if v2:
        def downgraded(with_unlock):
            # After the genuine v2 lock, a second lock that names no protocol (so lottery-draw/v1), the same
            # digest, commitment and quotas; the draws recomputed with the v1 seed preimage (§4), so that seed,
            # winners and journal.draws hold under v1; the bundle relabelled v1; re-chained, re-signed with the
            # genuine key. The ceremony entries stay (no v1 check reads them).
            b = c(); j = b['journal']; i = index_of(b, 'lottery.locked')
            second = copy.deepcopy(j[i]); second['data'].pop('protocol', None)
            j[i + 1:i + 1] = ([unlock_entry(b, j[i])] if with_unlock else []) + [second]
            b['format'] = 'lottery-audit-bundle/v1'
            redraw(b, 'lottery-draw/v1'); rechain(j); resigned(b)
            return b
        add('downgrade', 'a v2 lottery re-locked as v1 without an unlock, v1 draws, relabelled '
            'lottery-audit-bundle/v1, re-chained and re-signed (journal.locked twice over)', {'journal.locked'},
            bundle=downgraded(False))
        add('downgrade-unlocked', 'a v2 lottery unlocked and re-locked as v1, v1 draws, relabelled '
            'lottery-audit-bundle/v1, re-chained and re-signed (a v1 bundle with a v2 lock)', {'journal.locked'},
            bundle=downgraded(True))
        b = c(); j = b['journal']; i = index_of(b, 'lottery.locked')
        second = copy.deepcopy(j[i]); second['data'].pop('protocol', None)
        j[i + 1:i + 1] = [unlock_entry(b, j[i]), second]
        redraw(b, 'lottery-draw/v1'); rechain(j); resigned(b)
        add('downgrade-still-v2', 'unlocked and re-locked as v1 with v1 draws, but still labelled '
            'lottery-audit-bundle/v2', {'seed', 'journal.locked'}, bundle=b)

    # ---- checkpoint and keys ----
    b = c(); sig = b['checkpoint']['signature']
    b['checkpoint']['signature'] = ('B' if sig[0] == 'A' else 'A') + sig[1:]
    add('checkpoint-signature', 'one character of the checkpoint signature changed', {'checkpoint.signature'},
        bundle=b)
    b = c(); b['checkpoint']['publicKey'] = stranger_pub; b['checkpoint'].pop('certificate', None)
    add('checkpoint-key-swapped', "the checkpoint's key replaced by a stranger's, not re-signed",
        {'checkpoint.signature', 'key.pinned'}, bundle=b)
    b = c(); b['secret'] = vb.H('the forger knows this secret')[:64]; redraw(b, protocol)
    rechain(b['journal']); resign(b, stranger, stranger_pub)
    add('stranger-key', 'the journal from the lock re-written with a new secret, commitment and winners, re-chained '
        "and re-signed with a stranger's key", {'key.pinned'}, bundle=b)
    b = c(); b['secret'] = vb.H('a new secret')[:64]
    b['commitment'] = vb.H(b['secret'])
    b['seed'] = vb.seed_of(protocol, b['lottery']['id'], b['rosterDigest'], b['secret'], b['entropy'])
    pool = [e['id'] for e in b['roster'] if not vb.excluded(e)]
    for st in b['stages']:
        st['winners'] = vb.select(b['seed'], st['stage'], pool, st['quota']); pool = st['winners']
    add('new-secret-genuine-journal', 'a new secret, commitment, seed and winners in the bundle, with the genuine '
        'journal', {'journal.locked', 'journal.draws', 'ceremony.opened'}, bundle=b)

    # ---- v2: the ceremony ----
    if v2:
        b = c(); j = b['journal']
        op = j.pop(index_of(b, 'ceremony.opened', -1)); j.insert(index_of(b, 'stage.drawn') + 1, op)
        rechain(j); resigned(b)
        add('ceremony-after-draw', 'ceremony.opened moved after stage 1 drawn, re-chained and re-signed',
            {'ceremony.opened'}, bundle=b)
        b = c(); j = b['journal']; i = index_of(b, 'stage.drawn')
        j[i]['at'] = next_day(j[i]['at']); rechain(j); resigned(b)
        add('draw-next-day', "stage 1's draw dated the next day, re-chained and re-signed", {'ceremony.date'},
            bundle=b)
        b = c(); b['lottery']['meeting']['date'] = next_day(b['lottery']['meeting']['date'] + 'T00:00:00.000Z')[:10]
        add('meeting-date-edited', "the bundle's meeting date moved by a day", {'journal.lottery', 'ceremony.date'},
            bundle=b)
        b = c(); j = b['journal']; i = index_of(b, 'ceremony.opened', -1); op = j[i]
        adj = {'seq': 0, 'at': op['at'], 'type': 'ceremony.adjourned', 'actor': op['actor'],
               'data': {'lottery': b['lottery']['id'], 'commitment': b['commitment'], 'reason': 'projector'},
               'prev': '', 'hash': ''}
        j.insert(i + 1, adj); rechain(j); resigned(b)
        add('ceremony-adjourned', 'the ceremony adjourned before the draw and not reopened, re-chained and re-signed',
            {'ceremony.opened'}, bundle=b)
        b = c(); j = b['journal']; i = index_of(b, 'ceremony.opened', -1)
        j.insert(i + 1, copy.deepcopy(adj)); j.insert(i + 2, copy.deepcopy(j[i])); rechain(j); resigned(b)
        add('ceremony-reopened', 'adjourned and then reopened before the draw (legal; a warning)', bundle=b)
        b = c(); b['entropy'] = ' '.join(b['entropy']); redraw(b, protocol); rechain(b['journal']); resigned(b)
        add('entropy-v1-form', 'a v1-form entropy (digits with spaces) in a v2 bundle, seed, winners and journal '
            'recomputed, re-chained and re-signed', {'entropy.form'}, bundle=b)
        b = c(); j = b['journal']; i = index_of(b, 'ceremony.opened', -1)
        j[i]['data']['commitment'] = vb.H('another'); rechain(j); resigned(b)
        add('ceremony-other-commitment', 'the ceremony opened for another commitment, re-chained and re-signed',
            {'ceremony.opened'}, bundle=b)
        b = c(); j = b['journal']; op = j.pop(index_of(b, 'ceremony.opened', -1))
        j.insert(index_of(b, 'lottery.locked'), op); rechain(j); resigned(b)
        add('ceremony-before-lock', 'ceremony.opened moved before the lock, re-chained and re-signed',
            {'ceremony.opened'}, bundle=b)
        # The token is the opener's alone: stage 1's drawer must be the last opening's actor (§8.2).
        b = c(); opener = b['journal'][index_of(b, 'ceremony.opened', -1)]['actor']
        intruder = 'user:intruder' if opener != 'user:intruder' else 'user:another'
        for e in lottery_entries(b, 'stage.drawn'):
            e['actor'] = intruder
        rechain(b['journal']); resigned(b)
        add('drawn-by-another', 'every stage drawn by another actor than the opener, re-chained and re-signed',
            {'ceremony.opened'}, bundle=b)
        b = c()
        for e in lottery_entries(b, 'stage.drawn')[1:]:
            e['actor'] = intruder
        rechain(b['journal']); resigned(b)
        # Reopened after an adjournment by someone else (allowed to anyone, §3): the token is the new opener's.
        def reopened_by_intruder(drawer):
            b = c(); j = b['journal']; i = index_of(b, 'ceremony.opened', -1); op = j[i]
            adj = {'seq': 0, 'at': op['at'], 'type': 'ceremony.adjourned', 'actor': op['actor'],
                   'data': {'lottery': b['lottery']['id'], 'commitment': b['commitment'], 'reason': 'projector'},
                   'prev': '', 'hash': ''}
            again = copy.deepcopy(op); again['actor'] = intruder
            j[i + 1:i + 1] = [adj, again]
            for e in lottery_entries(b, 'stage.drawn'):
                e['actor'] = drawer
            rechain(j); resigned(b)
            return b
        add('reopened-by-another-drawn-by-first', 'adjourned, reopened by another actor, stage 1 drawn by the first '
            'opener, re-chained and re-signed', {'ceremony.opened'}, bundle=reopened_by_intruder(opener))
        add('reopened-by-another-who-draws', 'adjourned, reopened by another actor who draws every stage (legal), '
            're-chained and re-signed', bundle=reopened_by_intruder(intruder))
        add('later-stage-by-another', 'stage 1 drawn by the opener, the later stages by another actor (only '
            "stage 1's drawer is tied to the opener), re-chained and re-signed", bundle=b)

    # ---- key rotation (§8.3): the anchor reaches a new key only through rotations it endorsed ----
    def rotated(endorser):
        b = c(); last = b['journal'][-1]
        b['journal'].append({'seq': 0, 'at': last['at'], 'type': 'key.rotated', 'actor': 'cli', 'prev': '', 'hash': '',
                             'data': {'publicKey': stranger_pub, 'previousPublicKey': g['checkpoint']['publicKey'],
                                      'endorsement': sign(endorser, vb.jcs({'publicKey': stranger_pub}))}})
        rechain(b['journal'])
        return resign(b, stranger, stranger_pub)
    add('key-rotated', "a key.rotated to a new key endorsed by the genuine key; checkpoint signed by the new key",
        bundle=rotated(key_file))
    add('key-rotated-self-endorsed', 'a key.rotated to a stranger key endorsed by the stranger itself',
        {'key.pinned'}, bundle=rotated(stranger))

    # ---- the replay: re-lock, updates ----
    b = c(); j = b['journal']; i = index_of(b, 'lottery.locked')
    early = copy.deepcopy(j[i]); early['data']['commitment'] = vb.H('an earlier secret')
    unlock = {'seq': 0, 'at': j[i]['at'], 'type': 'lottery.unlocked', 'actor': j[i]['actor'], 'prev': '', 'hash': '',
              'data': {'lottery': b['lottery']['id'], 'reason': 'roster corrected'}}
    j[i:i] = [early, unlock]; rechain(j); resigned(b)
    add('relocked', 'an earlier lock and unlock before the lock that counts (legal; a warning)', bundle=b)
    b = c(); j = b['journal']; i = index_of(b, 'lottery.created')
    j.insert(i + 1, {'seq': 0, 'at': j[i]['at'], 'type': 'lottery.updated', 'actor': j[i]['actor'], 'prev': '',
                     'hash': '', 'data': {'lottery': b['lottery']['id'], 'title': '改過的標題'}})
    rechain(j); resigned(b)
    add('title-updated-not-in-bundle', 'a lottery.updated title the bundle does not carry', {'journal.lottery'},
        bundle=b)
    b2 = copy.deepcopy(b); b2['lottery']['title'] = '改過的標題'
    add('title-updated', 'a lottery.updated title, carried by the bundle', bundle=b2)

    # ---- the Taipei day boundary (§4.2: the date part of the time plus 8 hours) ----
    if v2:
        day = g['lottery']['meeting']['date'][:10]
        from datetime import datetime, timedelta
        prev_day = (datetime.strptime(day, '%Y-%m-%d') - timedelta(days=1)).strftime('%Y-%m-%d')
        for name, at, failing in (('draw-taipei-midnight', prev_day + 'T16:00:00.000Z', ()),
                                  ('draw-taipei-last-ms', day + 'T15:59:59.999Z', ()),
                                  ('draw-taipei-next-day', day + 'T16:00:00.000Z', {'ceremony.date'}),
                                  ('draw-utc-day-taipei-previous', prev_day + 'T15:59:59.999Z', {'ceremony.date'})):
            b = c(); j = b['journal']; j[index_of(b, 'stage.drawn')]['at'] = at; rechain(j); resigned(b)
            add(name, "stage 1's draw at %s (meeting %s), re-chained and re-signed" % (at, day), failing, bundle=b)
        # Years a calendar library may not handle (no year 0, overflow past 9999): §4.2 is day-count arithmetic.
        for name, date, at, failing in (('year-0000', '0000-01-01T10:00', '0000-01-01T05:00:00.000Z', ()),
                                        ('year-0999', '0999-06-01', '0999-06-01T05:00:00.000Z', ()),
                                        ('year-9999-overflow', '9999-12-31', '9999-12-31T20:00:00.000Z',
                                         {'ceremony.date'})):
            b = c(); j = b['journal']
            b['lottery']['meeting']['date'] = date
            created = j[index_of(b, 'lottery.created')]
            created['data']['meeting']['date'] = date
            j[index_of(b, 'stage.drawn')]['at'] = at
            rechain(j); resigned(b)
            add(name, 'meeting on %s, stage 1 drawn at %s' % (date, at), failing, bundle=b)

    # ---- a checkpoint saved earlier (--checkpoint FILE, §8.2 checkpoint.observed) ----
    def saved(name, seq, hash_, key=key_file, pub=None, extra=None):
        cp = {'seq': seq, 'hash': hash_, 'at': g['checkpoint']['at'], 'alg': 'RS256',
              'publicKey': pub or g['checkpoint']['publicKey']}
        cp['signature'] = sign(key, vb.jcs({'seq': cp['seq'], 'hash': cp['hash'], 'at': cp['at']}))
        cp.update(extra or {})
        f = os.path.join(outdir, 'saved-%s.json' % name)
        with open(f, 'w', encoding='utf-8') as out:
            out.write(dumps(cp))
        return ['--checkpoint', f]
    gj = g['journal']
    add('saved-head', 'a checkpoint saved at the head, genuine', bundle=c(), args=saved('head', gj[-1]['seq'],
                                                                                     gj[-1]['hash']))
    add('saved-earlier', 'a checkpoint saved at seq 3, genuine', bundle=c(), args=saved('earlier', 3, gj[2]['hash']))
    add('saved-empty', 'a checkpoint of the empty journal (seq 0)', bundle=c(), args=saved('empty', 0, vb.ZERO64))
    add('saved-stranger', "a checkpoint at the head signed by a stranger's key", {'checkpoint.observed'}, bundle=c(),
        args=saved('stranger', gj[-1]['seq'], gj[-1]['hash'], stranger, stranger_pub))
    add('saved-other-hash', 'a genuine checkpoint at seq 3 whose hash the journal does not hold',
        {'checkpoint.observed'}, bundle=c(), args=saved('other-hash', 3, vb.H('rewritten history')))
    add('saved-beyond', 'a genuine checkpoint 5 entries beyond the head (the tail was cut off)',
        {'checkpoint.observed'}, bundle=c(), args=saved('beyond', gj[-1]['seq'] + 5, vb.H('cut')))
    b = c(); b['journal'][1]['at'] = '2000-01-01T00:00:00.000Z'
    add('saved-after-break', 'journal entry 2 edited, a genuine checkpoint saved at seq 3',
        {'journal.chain', 'checkpoint.observed'}, bundle=b, args=saved('after-break', 3, gj[2]['hash']))
    args = saved('bad-signature', 3, gj[2]['hash'])
    with open(args[1], encoding='utf-8') as f:
        cp = json.load(f)
    cp['signature'] = ('B' if cp['signature'][0] == 'A' else 'A') + cp['signature'][1:]
    with open(args[1], 'w', encoding='utf-8') as f:
        f.write(dumps(cp))
    add('saved-bad-signature', 'a saved checkpoint whose signature was altered', {'checkpoint.observed'},
        bundle=c(), args=args)
    add('saved-extra-key', 'a saved checkpoint with an unknown key', exit_code=2, bundle=c(),
        args=saved('extra-key', 3, gj[2]['hash'], extra={'note': 'x'}))

    # ---- issue 11: the meeting amended after the lock, rehearsals, cancelling (§7, §8.2 Replay) ----
    lid = g['lottery']['id']

    def entry(b, type_, data, after):
        """A new entry of the lottery after journal index `after`, at that entry's time and by its actor."""
        j = b['journal']
        j.insert(after + 1, {'seq': 0, 'at': j[after]['at'], 'type': type_, 'actor': j[after]['actor'],
                             'data': dict(data, lottery=lid), 'prev': '', 'hash': ''})

    amended = dict(g['lottery'].get('meeting', {}), witnesses=['王大明', '陳小華'])
    b = c(); entry(b, 'meeting.updated', {'meeting': amended}, index_of(b, 'lottery.locked', -1))
    b['lottery']['meeting'] = copy.deepcopy(amended); rechain(b['journal']); resigned(b)
    add('meeting-updated-after-lock', 'a witness replaced after the lock (meeting.updated), the bundle showing it '
        '(legal)', bundle=b)
    b = c(); entry(b, 'meeting.updated', {'meeting': amended}, index_of(b, 'lottery.locked', -1))
    rechain(b['journal']); resigned(b)
    add('meeting-updated-bundle-stale', 'a meeting.updated after the lock that the bundle does not show',
        {'journal.lottery'}, bundle=b)
    b = c(); entry(b, 'meeting.updated', {'meeting': copy.deepcopy(g['lottery'].get('meeting', {}))},
                   index_of(b, 'lottery.created'))
    rechain(b['journal']); resigned(b)
    add('meeting-updated-in-draft', 'a meeting.updated before the lock (no lock in force)', {'journal.lottery'},
        bundle=b)
    b = c(); entry(b, 'meeting.updated', {'meeting': 'x'}, index_of(b, 'lottery.locked', -1))
    rechain(b['journal']); resigned(b)
    add('meeting-updated-not-object', 'a meeting.updated whose meeting is a string', {'journal.lottery'}, bundle=b)
    b = c(); last = len(b['journal']) - 1
    entry(b, 'record.issued', {'sha256': vb.H('a record')}, last)
    entry(b, 'meeting.updated', {'meeting': copy.deepcopy(g['lottery'].get('meeting', {}))}, last + 1)
    rechain(b['journal']); resigned(b)
    add('meeting-updated-after-record', 'a meeting.updated after record.issued (the record is final)',
        {'journal.lottery'}, bundle=b)
    b = c(); b['journal'][index_of(b, 'lottery.created')]['data']['rehearsal'] = True
    rechain(b['journal']); resigned(b)
    add('rehearsal-journal-only', 'lottery.created says rehearsal, the bundle does not mark it',
        {'lottery.rehearsal'}, bundle=b)
    b = c(); b['lottery']['rehearsal'] = True
    add('rehearsal-bundle-only', 'the bundle marks a rehearsal the journal created as real', {'lottery.rehearsal'},
        bundle=b)
    b = c(); b['lottery']['rehearsal'] = True; b['journal'][index_of(b, 'lottery.created')]['data']['rehearsal'] = True
    rechain(b['journal']); resigned(b)
    add('rehearsal-both', 'a rehearsal marked in the bundle and the journal (legal)', bundle=b)
    if v2:
        i = index_of(b, 'stage.drawn'); b['journal'][i]['at'] = next_day(b['journal'][i]['at'])
        rechain(b['journal']); resigned(b)
        add('rehearsal-other-day', "a rehearsal whose stage 1 was drawn the next day (any day is allowed)", bundle=b)
    if v2:
        # Attack (issue 11): stage 1 drawn the day after the meeting day, then the meeting "moved" to that day by a
        # meeting.updated, so that ceremony.date compares the draw with a day chosen after it. The service refuses
        # to move the day once stage 1 is drawn or while a ceremony is open; the Replay refuses it too.
        mdate = g['lottery']['meeting']['date']
        moved = dict(g['lottery']['meeting'], date=next_day(mdate[:10] + 'T00:00:00.000Z')[:10] + mdate[10:])
        for name, after, what in (('meeting-day-moved-after-draw', 'stage.drawn', 'after stage 1 was drawn'),
                                  ('meeting-day-moved-while-open', 'ceremony.opened', 'while the ceremony was open')):
            b = c(); i = index_of(b, 'stage.drawn'); b['journal'][i]['at'] = next_day(b['journal'][i]['at'])
            at = max(k for k, e in enumerate(b['journal']) if k <= i and e['type'] == after
                     and e['data'].get('lottery') == lid)
            entry(b, 'meeting.updated', {'meeting': moved}, at)
            b['lottery']['meeting'] = copy.deepcopy(moved); rechain(b['journal']); resigned(b)
            add(name, 'stage 1 drawn the next day, the meeting day moved to it %s (meeting.updated)' % what,
                {'journal.lottery'}, bundle=b)
    b = c(); b['lottery']['rehearsal'] = False
    add('rehearsal-false', 'lottery.rehearsal present and false', {'format'}, bundle=b)
    b = c(); b['journal'][index_of(b, 'lottery.created')]['data']['rehearsal'] = 'true'
    rechain(b['journal']); resigned(b)
    add('rehearsal-string-in-journal', 'lottery.created says rehearsal "true" (a string: a real lottery)', bundle=b)
    b = c(); entry(b, 'lottery.cancelled', {'reason': 'test'}, index_of(b, 'lottery.locked', -1))
    rechain(b['journal']); resigned(b)
    add('cancelled-then-drawn', 'lottery.cancelled after the lock, then drawn anyway', {'journal.draws'}, bundle=b)
    b = c(); entry(b, 'lottery.cancelled', {'reason': 'test'}, index_of(b, 'stage.drawn', -1))
    rechain(b['journal']); resigned(b)
    add('cancelled-after-draw', 'lottery.cancelled after the last draw', {'journal.draws'}, bundle=b)
    b = c(); entry(b, 'lottery.copied', {'to': 'another-lottery'}, index_of(b, 'lottery.created'))
    rechain(b['journal']); resigned(b)
    add('copied-entry', 'a lottery.copied entry (changes nothing)', bundle=b)

    # ---- the dice written down in the room (--entropy DICE, §8.2 entropy.observed, §8.3) ----
    dice = g['entropy']
    if vb.canonical_digits(dice) == dice:
        spaced = ' '.join(dice[k:k + 5] for k in range(0, len(dice), 5))
        wide = ''.join(chr(0xFF10 + int(ch)) for ch in dice)
        wrong = dice[:-1] + ('1' if dice[-1] != '1' else '2')
        add('entropy-observed-spaced', 'the dice given with --entropy in groups of five (%s)' % spaced, bundle=c(),
            args=['--entropy', spaced])
        add('entropy-observed-fullwidth', 'the dice given with --entropy in full-width digits', bundle=c(),
            args=['--entropy', wide])
        add('entropy-observed-wrong', 'other dice given with --entropy (last digit changed)', {'entropy.observed'},
            bundle=c(), args=['--entropy', wrong])
        add('entropy-observed-short', '--entropy 12: no canonical digits, a usage error', exit_code=2, bundle=c(),
            args=['--entropy', '12'])
        add('entropy-observed-letters', '--entropy with a letter among the digits, a usage error', exit_code=2,
            bundle=c(), args=['--entropy', dice[:-1] + 'x'])
        add('entropy-observed-empty', '--entropy with an empty value, a usage error', exit_code=2, bundle=c(),
            args=['--entropy', ''])
        add('entropy-observed-twice', '--entropy given twice (same value), a usage error', exit_code=2, bundle=c(),
            args=['--entropy', dice, '--entropy', dice])
    fp = vb.fingerprint(vb.pem_der(g['checkpoint']['publicKey']))
    add('fingerprint-twice', 'the genuine --fingerprint given a second time, a usage error', exit_code=2,
        bundle=c(), args=['--fingerprint', fp])
    add('json-twice', '--json given a second time, a usage error', exit_code=2, bundle=c(), args=['--json'])
    add('commitment-twice', '--commitment given twice (the right prefix both times), a usage error', exit_code=2,
        bundle=c(), args=['--commitment', g['commitment'][:16], '--commitment', g['commitment'][:16]])

    # ---- reading limits ----
    add('max-bytes', 'a genuine bundle over a --max-bytes 1000 limit', exit_code=2, bundle=c(),
        args=['--max-bytes', '1000'])
    add('top-level-array', 'a JSON array at the top level', exit_code=2, text='[' + dumps(c()) + ']')
    add('trailing-garbage', 'text after the JSON value', exit_code=2, text=dumps(c()) + ' x')
    add('truncated-text', 'the file cut in the middle', exit_code=2, text=dumps(c())[:500])

    with open(os.path.join(outdir, 'cases.json'), 'w', encoding='utf-8') as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
    return cases


def physical_cases(g, add, c, resigned):
    """Hostile physical draws (§6.1, §8.2): balls, undos, winners, quotas and sheets, each forged alone."""
    lid = g['lottery']['id']
    st1 = g['stages'][0]
    pool1 = vb.by_id([e['id'] for e in g['roster'] if not vb.excluded(e)])

    def entries(b, type_):
        return [e for e in b['journal'] if e['type'] == type_ and e['data'].get('lottery') == lid]

    b = c(); b['stages'][0]['balls'][-1] = len(pool1) + 5
    add('ball-not-on-sheet-bundle', "stage 1's last ball is a number not on its sheet (bundle only)",
        {'physical.balls', 'winners'}, bundle=b)
    b = c()
    last = [e for e in entries(b, 'stage.ball') if e['data']['stage'] == 1][-1]
    last['data']['number'] = len(pool1) + 5
    b['stages'][0]['balls'][-1] = len(pool1) + 5
    vb_rechained = resigned(rechain_journal(b))
    add('ball-not-on-sheet', "stage 1's last ball journalled and bundled as a number not on its sheet, re-chained",
        {'physical.balls', 'winners'}, bundle=vb_rechained)
    b = c()
    undone = entries(b, 'stage.ball.undone')[0]
    i = b['journal'].index(undone)
    nxt = b['journal'].pop(i)
    at = b['journal'].index([e for e in entries(b, 'stage.ball') if e['data']['stage'] == 1][1])
    b['journal'].insert(at + 1, nxt)
    add('undo-after-later-ball', 'the undo of a ball moved after a later ball was entered, re-chained',
        {'physical.balls'}, bundle=resigned(rechain_journal(b)))
    b = c(); entries(b, 'stage.ball.undone')[0]['data']['reason'] = ' '
    add('undo-without-reason', 'an undo whose reason is blank, re-chained', {'physical.balls'},
        bundle=resigned(rechain_journal(b)))
    b = c(); b['stages'][0]['winners'].reverse()
    add('winners-not-balls', "stage 1's winners reversed: no longer the balls in draw order",
        {'winners', 'journal.draws'}, bundle=b)
    b = c(); b['stages'][0]['balls'] = b['stages'][0]['balls'][:-1]; b['stages'][0]['winners'] = st1['winners'][:-1]
    add('quota-not-met', "stage 1 one ball and one winner short of its quota (bundle only)",
        {'quotas', 'physical.sheets', 'physical.balls', 'winners', 'journal.draws'}, bundle=b)
    b = c()
    wrong = vb.H(vb.jcs({'lottery': lid, 'stage': 1, 'entries': list(reversed(pool1))}))
    b['stages'][0]['sheet'] = wrong
    entries(b, 'poolsheet.issued')[0]['data']['sha256'] = wrong
    add('sheet-out-of-order', "stage 1's sheet digest of its pool in reverse id order, journalled, re-chained",
        {'physical.sheets'}, bundle=resigned(rechain_journal(b)))
    b = c(); b['stages'][1]['sheet'] = vb.H('another sheet')
    add('sheet-bundle', "stage 2's sheet digest replaced (bundle only)", {'physical.sheets'}, bundle=b)
    b = c()
    rec = next(e for e in entries(b, 'stage.recorded') if e['data']['stage'] == 1)
    extra = copy.deepcopy(next(e for e in entries(b, 'stage.ball') if e['data']['stage'] == 1))
    free = next(k for k in range(1, len(pool1) + 1) if k not in st1['balls'])
    extra['data']['number'] = free; extra['data']['entry'] = pool1[free - 1]
    b['journal'].insert(b['journal'].index(rec) + 1, extra)
    add('ball-after-recorded', 'a ball entered for stage 1 after it was recorded, re-chained', {'physical.balls'},
        bundle=resigned(rechain_journal(b)))
    b = c(); del entries(b, 'lottery.created')[0]['data']['method']
    add('created-random', 'the journal created the lottery without method "physical", re-chained',
        {'journal.draws'}, bundle=resigned(rechain_journal(b)))
    # Attack (issue 11): balls entered outside the ceremony the service holds them to (§6.1: during the open
    # ceremony, by its opener, stage 1 on the meeting day; no adjournment once a ball is in).
    opened = entries(g, 'ceremony.opened')[0]
    b = c(); j = b['journal']; o = entries(b, 'ceremony.opened')[0]; j.remove(o)
    j.insert(j.index(entries(b, 'stage.recorded')[0]), o)
    add('balls-before-ceremony', "stage 1's balls entered before the ceremony was opened, re-chained",
        {'ceremony.opened'}, bundle=resigned(rechain_journal(b)))
    b = c(); entries(b, 'stage.ball')[1]['actor'] = 'user:intruder'
    add('ball-by-intruder', "a ball of stage 1 entered by a user other than the ceremony's opener, re-chained",
        {'ceremony.opened'}, bundle=resigned(rechain_journal(b)))
    b = c(); j = b['journal']; i = j.index(entries(b, 'stage.ball')[1])
    adj = dict(copy.deepcopy(opened), type='ceremony.adjourned',
               data={'lottery': lid, 'commitment': opened['data']['commitment'], 'reason': 'x'})
    j.insert(i + 1, adj); j.insert(i + 2, copy.deepcopy(opened))
    add('adjourn-mid-balls', 'the ceremony adjourned after a ball was in, then reopened, re-chained',
        {'ceremony.opened'}, bundle=resigned(rechain_journal(b)))
    b = c(); first = entries(b, 'stage.ball')[0]; first['at'] = '2000-01-01' + first['at'][10:]
    add('ball-other-day', "stage 1's first ball entered on another day than the meeting's, re-chained",
        {'ceremony.date'}, bundle=resigned(rechain_journal(b)))
    b = c(); b['seed'] = vb.H('a seed')
    add('physical-with-seed', 'a physical bundle that carries a seed', {'format'}, bundle=b)
    b = c(); del b['lottery']['method']
    add('physical-unmarked', 'the bundle no longer says method "physical" (it still has balls, no seed)',
        {'format'}, bundle=b)
    b = c(); del b['stages'][1]['balls']
    add('physical-no-balls', "stage 2 without its balls", {'format'}, bundle=b)
    b = c(); b['stages'][0]['sheet'] = 'x'
    add('physical-sheet-form', "stage 1's sheet digest is not hex", {'format'}, bundle=b)


def rechain_journal(b):
    rechain(b['journal'])
    return b


def next_day(at):
    from datetime import datetime, timedelta
    t = datetime.strptime(at, '%Y-%m-%dT%H:%M:%S.%fZ') + timedelta(days=1)
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + at[20:23] + 'Z'


# ---------------------------------------------------------------------------------------------------------------
# the witnessed log (issue 13, §10): a genuine bundle with a log and two witnesses' cosignatures
# ---------------------------------------------------------------------------------------------------------------

def ed25519_sign(private_pem_file, message):
    with tempfile.NamedTemporaryFile() as f:
        f.write(message)
        f.flush()
        return openssl(['pkeyutl', '-sign', '-inkey', private_pem_file, '-rawin', '-in', f.name])


def ed25519_raw_public(private_pem_file):
    return openssl(['pkey', '-in', private_pem_file, '-pubout', '-outform', 'DER'])[-32:]


def b64(b):
    import base64
    return base64.b64encode(b).decode()


def vkey(name, typ, pub):
    return '%s+%08x+%s' % (name, vb.key_id(name, typ, pub), b64(bytes([typ]) + pub))


def sig_line(name, typ, pub, sig):
    return '\u2014 %s %s' % (name, b64(vb.key_id(name, typ, pub).to_bytes(4, 'big') + sig))


def cosign_line(name, pem, text, timestamp):
    pub = ed25519_raw_public(pem)
    sig = ed25519_sign(pem, ('cosignature/v1\ntime %d\n' % timestamp + text).encode('utf-8'))
    return sig_line(name, vb.SIG_COSIGNATURE_V1, pub, timestamp.to_bytes(8, 'big') + sig)


def tree_path(lh, m, start, n):
    """RFC 9162 §2.1.3.1 PATH(m, D[start:start+n])."""
    if n <= 1:
        return []
    k = vb.split_point(n)
    if m < k:
        return tree_path(lh, m, start, k) + [vb.mth(lh, start + k, start + n)]
    return tree_path(lh, m - k, start + k, n - k) + [vb.mth(lh, start, start + k)]


def subproof(lh, m, start, n, whole):
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:start+n], b)."""
    if m == n:
        return [] if whole else [vb.mth(lh, start, start + n)]
    k = vb.split_point(n)
    if m <= k:
        return subproof(lh, m, start, k, whole) + [vb.mth(lh, start + k, start + n)]
    return subproof(lh, m - k, start + k, n - k, False) + [vb.mth(lh, start, start + k)]


def note_parts(note):
    sep = note.rfind('\n\n')
    return note[:sep + 1], [l for l in note[sep + 2:].split('\n') if l]


def rebuild_log(b, log_pem, keep_cosignatures=True):
    """The log as the keyholder would rebuild it over a rewritten journal: the tree of the new hashes, a fresh
    note signed by the log key at N_L, fresh inclusion and consistency proofs. The old cosignature lines stay."""
    log, lid = b['log'], b['lottery']['id']
    size, opened = vb.lottery_sizes(b['journal'], lid)
    lh = [vb.leaf_hash(bytes.fromhex(e['hash'])) for e in b['journal'][:size]]
    origin = note_parts(log['checkpoint'])[0].split('\n')[0]
    text = '%s\n%d\n%s\n' % (origin, size, b64(vb.mth(lh, 0, size)))
    pub = ed25519_raw_public(log_pem)
    lines = [sig_line(origin, vb.SIG_ED25519, pub, ed25519_sign(log_pem, text.encode('utf-8')))]
    lines += note_parts(log['checkpoint'])[1][1:] if keep_cosignatures else []
    log['checkpoint'] = text + '\n' + ''.join(l + '\n' for l in lines)
    log['inclusion'] = [{'seq': p['seq'], 'proof': [b64(h) for h in tree_path(lh, p['seq'] - 1, 0, size)]}
                        for p in log['inclusion']]
    log['consistency'] = {'from': opened, 'to': size,
                          'proof': [b64(h) for h in subproof(lh, opened, 0, size, True)]}
    return b


def make_log(genuine_path, outdir, key_file, log_pem, witnesses):
    """Cases of the witnessed log. `witnesses`: [(name, private PEM)] of the two who cosigned the genuine note."""
    with open(genuine_path, encoding='utf-8') as f:
        g = json.load(f)
    protocol = 'lottery-draw/v2' if g['format'] == 'lottery-audit-bundle/v2' else 'lottery-draw/v1'
    os.makedirs(outdir, exist_ok=True)
    files = []
    for name, pem in witnesses:
        fn = os.path.join(outdir, '%s.vkey' % name)
        with open(fn, 'w') as f:
            f.write(vkey(name, vb.SIG_COSIGNATURE_V1, ed25519_raw_public(pem)) + '\n')
        files.append(fn)
    stranger = os.path.join(outdir, 'stranger-ed25519.pem')
    if not os.path.exists(stranger):
        openssl(['genpkey', '-algorithm', 'ed25519', '-out', stranger])
    pin = ['--witness-key', files[0], '--witness-key', files[1], '--witnesses', '2']
    cases = []

    def add(name, description, failing=(), exit_code=None, bundle=None, args=pin):
        exit_code = (1 if failing else 0) if exit_code is None else exit_code
        fname = '%02d-log-%s.json' % (len(cases) + 1, name)
        with open(os.path.join(outdir, fname), 'w', encoding='utf-8') as f:
            f.write(dumps(bundle))
        cases.append({'file': fname, 'description': description, 'args': list(args), 'exit': exit_code,
                      'failing': sorted(failing) if exit_code == 1 else []})

    def c():
        return copy.deepcopy(g)

    text, lines = note_parts(g['log']['checkpoint'])
    cos_a = next(l for l in lines if l.startswith('\u2014 %s ' % witnesses[0][0]))
    others = [l for l in lines if l != cos_a]
    all_log = {'log.key', 'log.checkpoint', 'log.inclusion', 'log.consistency', 'log.cosigned'}

    add('genuine', 'the genuine bundle with its log, both witnesses pinned, quorum 2', bundle=c())
    add('genuine-unpinned', 'the genuine bundle with its log, no witness flag (no log.cosigned)', bundle=c(), args=())
    b = c(); t = text.split('\n'); t[2] = b64(vb.sha256b(b'another tree')); other = '\n'.join(t)
    b['log']['checkpoint'] = text + '\n' + ''.join(
        l + '\n' for l in others + [cosign_line(witnesses[0][0], witnesses[0][1], other, 1764547200)])
    add('cosigned-other-tree', "witness a's cosignature over another tree of the same size", {'log.cosigned'},
        bundle=b)
    b = c()
    b['log']['checkpoint'] = text + '\n' + ''.join(
        l + '\n' for l in others + [cosign_line(witnesses[0][0], stranger, text, 1764547200)])
    add('cosigned-unregistered', "witness a's cosignature replaced by a valid one of an unpinned key of that name",
        {'log.cosigned'}, bundle=b)
    b = c(); p = next(x for x in b['log']['inclusion'] if x['proof'])
    p['proof'][0] = b64(vb.sha256b(b'not a sibling'))
    add('inclusion-wrong', 'one hash of an inclusion proof replaced', {'log.inclusion'}, bundle=b)
    b = c(); b['log']['inclusion'].pop()
    add('inclusion-missing', "the last entry's inclusion proof dropped", {'log.inclusion'}, bundle=b)
    b = c(); b['log']['consistency']['from'] -= 1
    add('consistency-from', 'the consistency proof said to be from one entry earlier', {'log.consistency'}, bundle=b)
    b = c(); b['secret'] = vb.H('the keyholder rewrote this')[:64]; redraw(b, protocol)
    rechain(b['journal']); resign(b, key_file); rebuild_log(b, log_pem)
    assert [s['winners'] for s in b['stages']] != [s['winners'] for s in g['stages']]
    add('rewritten', 'the history rewritten from the lock (a new secret, the same dice, other winners), re-chained, '
        're-signed with the genuine RSA key and a fresh log signature', {'log.cosigned'}, bundle=b)
    add('rewritten-unwitnessed', 'the same rewrite, verified without the witness keys: the hole cosigning closes',
        bundle=b, args=())
    add('quorum-above-keys', 'both witnesses pinned, a quorum of 3', {'log.cosigned'}, bundle=c(),
        args=pin[:4] + ['--witnesses', '3'])
    add('quorum-no-key', '--witnesses 1 without any --witness-key', {'log.cosigned'}, bundle=c(),
        args=['--witnesses', '1'])
    add('log-key-other', "a stranger's log key pinned with --log-key", {'log.key'}, bundle=c(),
        args=['--log-key', vkey(text.split('\n')[0], vb.SIG_ED25519, ed25519_raw_public(stranger))])
    b = c(); b['log']['checkpoint'] = text + '\n' + ''.join(l + '\n' for l in lines[1:])
    add('log-signature-dropped', "the log's own signature line dropped", {'log.checkpoint'}, bundle=b, args=())
    b = c(); del b['log']
    add('log-absent', 'the log dropped, witness flags given', all_log, bundle=b)
    b = c(); b['log']['extra'] = 1
    add('log-extra-key', 'an unknown key in log', exit_code=2, bundle=b)
    b = c(); b['log']['inclusion'][0]['seq'] = str(b['log']['inclusion'][0]['seq'])
    add('log-inclusion-form', 'an inclusion seq written as a string', {'format'}, bundle=b)
    with open(os.path.join(outdir, 'cases.json'), 'w', encoding='utf-8') as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
    return cases


def main(argv):
    # The witnessed log's corpus: GENUINE_LOG.json OUTDIR --key PEM --log-key PEM --witness NAME=PEM (twice).
    if '--log-key' in argv:
        try:
            genuine, outdir = argv[0], argv[1]
            opts = argv[2:]
            key = opts[opts.index('--key') + 1]
            log_key = opts[opts.index('--log-key') + 1]
            witnesses = [tuple(opts[i + 1].split('=', 1)) for i, a in enumerate(opts) if a == '--witness']
            assert len(witnesses) == 2
        except (IndexError, ValueError, AssertionError):
            sys.stderr.write(__doc__)
            return 2
        cases = make_log(genuine, outdir, key, log_key, witnesses)
        print('%d log cases written to %s' % (len(cases), outdir))
        return 0
    args = [a for a in argv if not a.startswith('--')]
    if len(argv) != 4 or argv[2] != '--key' or len(args) != 3:
        sys.stderr.write(__doc__)
        return 2
    cases = make(argv[0], argv[1], argv[3])
    print('%d cases written to %s' % (len(cases), argv[1]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
