import { taipeiDate } from '../../src/domain/ceremony';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import request from 'supertest';
import { jcs } from '../../src/domain/canonical';
import { verifyBundle, verifyDatabase } from '../../src/domain/verify';
import { makeTestCertificates } from '../../src/keys/certs';
import { loadSigning } from '../../src/keys/material';
import { generatePrivatePem, nodeVerifyDeps, signerFromPem, verifyRs256Node } from '../../src/keys/signer';
import { checkpointMessage } from '../../src/domain/checkpoint';
import { buildApp } from '../../src/http/app';
import { Store } from '../../src/store/store';
import { auth, example, tempDir } from '../helpers/app';
import { pdfsig } from '../helpers/poppler';
import crypto from 'node:crypto';

/** A PKCS#12 as an office's CA would issue it: the key, its certificate and the CA certificate, under a passphrase. */
function officeP12(file: string, passphrase: string): { certPem: string } {
  const keyPem = generatePrivatePem();
  const { caCertPem, certPem } = makeTestCertificates(keyPem, new Date());
  const pkcs1 = crypto.createPrivateKey(keyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(pkcs1),
    [forge.pki.certificateFromPem(certPem), forge.pki.certificateFromPem(caCertPem)],
    passphrase,
    { algorithm: '3des' },
  );
  fs.writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  return { certPem };
}

describe('signing with the office’s own PKCS#12', () => {
  it('journals key.rotated endorsed by the old key, signs checkpoints and records with the new certificate, and keeps old checkpoints verifiable', async () => {
    const dir = tempDir();
    const dbFile = path.join(dir, 'l.sqlite');
    const store = Store.open(dbFile);
    const local = loadSigning(dbFile, {}, new Date());
    expect(local.source).toBe('local-test-ca');
    expect(fs.statSync(path.join(dir, 'lottery-signing-key.pem')).mode & 0o077).toBe(0);
    const before = buildApp({ store, signer: local.signer });
    expect(before.services.journalSigningKey(local.localKeyPem)).toBeUndefined();
    const oldCheckpoint = before.services.checkpoint();

    const p12 = path.join(dir, 'office.p12');
    const { certPem } = officeP12(p12, 'correct horse');
    const office = loadSigning(
      dbFile,
      { LOTTERY_SIGNING_P12: p12, LOTTERY_SIGNING_PASSPHRASE: 'correct horse' },
      new Date(),
    );
    expect(office.source).toBe('pkcs12');
    const { app, services } = buildApp({ store, signer: office.signer });
    const seq = services.journalSigningKey(office.localKeyPem);
    expect(seq).toBeGreaterThan(0);
    expect(services.journalSigningKey(office.localKeyPem)).toBeUndefined(); // once, not at every start
    const [rot] = store.journalPage({ limit: 10, type: 'key.rotated' });
    expect(rot?.data.publicKey).toBe(office.signer.publicKeyPem);
    expect(rot?.data.previousPublicKey).toBe(local.signer.publicKeyPem);
    expect(
      await verifyRs256Node(
        local.signer.publicKeyPem,
        jcs({ publicKey: office.signer.publicKeyPem }),
        String(rot?.data.endorsement),
      ),
    ).toBe(true);

    // The old checkpoint still verifies with the key it names.
    expect(
      await verifyRs256Node(
        oldCheckpoint.publicKey,
        checkpointMessage(oldCheckpoint),
        oldCheckpoint.signature,
      ),
    ).toBe(true);

    const cp = services.checkpoint();
    expect(cp.publicKey).toBe(office.signer.publicKeyPem);
    expect(forge.pki.certificateFromPem(String(cp.certificate)).serialNumber).toBe(
      forge.pki.certificateFromPem(certPem).serialNumber,
    );

    const ethics = services.addUser('cli', { name: 'e', role: 'ethics' }).token;
    const c = await request(app)
      .post('/api/v1/lotteries')
      .set(...auth(ethics))
      .send({ year: 113, agency: 'X', meeting: { date: taipeiDate(Date.now()) } })
      .expect(201);
    const id = c.body.id as string;
    await request(app)
      .put(`/api/v1/lotteries/${id}/roster`)
      .set(...auth(ethics))
      .send({ entries: example.roster })
      .expect(200);
    await request(app)
      .post(`/api/v1/lotteries/${id}/lock`)
      .set(...auth(ethics))
      .expect(200);
    const opened = await request(app)
      .post(`/api/v1/lotteries/${id}/ceremony`)
      .set(...auth(ethics))
      .expect(201);
    const { ceremonyToken, commitment } = opened.body as { ceremonyToken: string; commitment: string };
    await request(app)
      .post(`/api/v1/lotteries/${id}/stages/1/draw`)
      .set(...auth(ethics))
      .send({ ceremonyToken, commitment, entropy: '1 2 3 4 5 6 1 2 3 4' })
      .expect(200);
    await request(app)
      .post(`/api/v1/lotteries/${id}/stages/2/draw`)
      .set(...auth(ethics))
      .send({ ceremonyToken })
      .expect(200);
    await request(app)
      .post(`/api/v1/lotteries/${id}/record`)
      .set(...auth(ethics))
      .expect(201);
    const pdf = services.recordPdf(id, 'full');
    expect(pdfsig(pdf)).toContain('Signature is Valid.');
    expect(pdfsig(pdf)).toContain('asset-review-lottery record signer');
    const r = await verifyBundle(services.bundle(id), nodeVerifyDeps, {
      pdf,
      trustedFingerprint: services.keyFingerprint(),
    });
    expect(r.checks.filter((x) => !x.ok)).toEqual([]);

    // verify --db --checkpoint: the old checkpoint leads to today's key through the endorsed rotation…
    const snap = { journal: [...store.journalRows()], lotteries: [] };
    const key = (rep: Awaited<ReturnType<typeof verifyDatabase>>) =>
      rep.checks.find((c) => c.name === 'checkpoint.key');
    expect(
      key(await verifyDatabase(snap, nodeVerifyDeps, oldCheckpoint, local.signer.publicKeyPem))?.ok,
    ).toBe(true);
    // …but a checkpoint from a key nobody endorsed does not.
    const stranger = signerFromPem(generatePrivatePem());
    const body = { seq: oldCheckpoint.seq, hash: oldCheckpoint.hash, at: oldCheckpoint.at };
    const forged = {
      ...body,
      alg: 'RS256' as const,
      signature: stranger.sign(checkpointMessage(body)),
      publicKey: stranger.publicKeyPem,
    };
    const rep2 = await verifyDatabase(snap, nodeVerifyDeps, forged, local.signer.publicKeyPem);
    expect(rep2.checks.find((c) => c.name === 'checkpoint.signature')?.ok).toBe(true);
    expect(key(rep2)?.ok).toBe(false);
    store.close();
  }, 60_000);

  it('a wrong passphrase stops the start with a clear error', () => {
    const dir = tempDir();
    const p12 = path.join(dir, 'office.p12');
    officeP12(p12, 'right');
    expect(() =>
      loadSigning(
        path.join(dir, 'l.sqlite'),
        { LOTTERY_SIGNING_P12: p12, LOTTERY_SIGNING_PASSPHRASE: 'wrong' },
        new Date(),
      ),
    ).toThrow(/PASSPHRASE/);
  });
});
