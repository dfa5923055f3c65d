import { describe, expect, it } from 'vitest';
import { isSipError } from '../sip.error.js';
import {
  buildAuthorization,
  chooseChallenge,
  digestHa1,
  digestResponse,
  parseAuthParams,
  parseChallenge,
} from './digest.js';

describe('digest vectors', () => {
  it('RFC 2617 section 3.5: MD5 with qop=auth', () => {
    const challenge = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    const input = {
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonceCount: 1,
      cnonce: '0a4f113b',
    };
    expect(digestResponse(challenge, input, 'auth')).toBe('6629fae49393a05397450978507c4ef1');
  });

  const rfc7616 = {
    realm: 'http-auth@example.org',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    input: {
      username: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonceCount: 1,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    },
  };

  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('RFC 7616 section 3.9.1: %s', (algorithm, expected) => {
    const challenge = parseChallenge(
      `Digest realm="${rfc7616.realm}", qop="auth, auth-int", algorithm=${algorithm}, nonce="${rfc7616.nonce}", opaque="${rfc7616.opaque}"`,
    );
    const header = buildAuthorization(challenge, rfc7616.input);
    expect(header).toContain(`response="${expected}"`);
    expect(header).toContain('qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"');
    expect(header).toContain(`opaque="${rfc7616.opaque}"`);
    expect(header).toContain(`algorithm=${algorithm}`);
  });

  it.each(['MD5', 'SHA-256', 'SHA-256-sess'] as const)(
    'a kept HA1 (%s) gives the same answer as the password, and is what the answer is built from',
    (algorithm) => {
      const challenge = parseChallenge(
        `Digest realm="${rfc7616.realm}", qop="auth", algorithm=${algorithm}, nonce="${rfc7616.nonce}"`,
      );
      const ha1 = digestHa1(algorithm, 'Mufasa', rfc7616.realm, 'Circle of Life');
      const fromPassword = buildAuthorization(challenge, rfc7616.input);
      expect(buildAuthorization(challenge, { ...rfc7616.input, ha1 })).toBe(fromPassword);
      const other = digestHa1(algorithm, 'Mufasa', rfc7616.realm, 'another password');
      expect(buildAuthorization(challenge, { ...rfc7616.input, ha1: other })).not.toBe(fromPassword);
    },
  );

  it('answers an RFC 2069 challenge without qop with the plain response (RFC 2617 A2 without nc/cnonce)', () => {
    const challenge = parseChallenge('Digest realm="r", nonce="n"');
    const header = buildAuthorization(challenge, {
      username: 'u',
      password: 'p',
      method: 'REGISTER',
      uri: 'sip:r',
      nonceCount: 1,
    });
    // md5(md5("u:r:p") + ":n:" + md5("REGISTER:sip:r")) computed independently with coreutils md5sum.
    expect(header).toContain('response="5790559ba44538767b07fb5adb649909"');
    expect(header).not.toContain('qop=');
    expect(header).not.toContain('cnonce');
  });

  it('nonce count goes into nc as eight hex digits and changes the response', () => {
    const challenge = parseChallenge('Digest realm="r", nonce="n", qop="auth"');
    const base = { username: 'u', password: 'p', method: 'REGISTER', uri: 'sip:r', cnonce: 'c' };
    const first = buildAuthorization(challenge, { ...base, nonceCount: 1 });
    const second = buildAuthorization(challenge, { ...base, nonceCount: 26 });
    expect(second).toContain('nc=0000001a');
    expect(first.match(/response="(\w+)"/)![1]).not.toBe(second.match(/response="(\w+)"/)![1]);
  });
});

describe('challenge parsing', () => {
  it('reads stale=true, case-insensitive names and quoted commas', () => {
    const c = parseChallenge('digest REALM="a, b", Nonce="xyz", STALE=TRUE, algorithm=md5');
    expect(c).toMatchObject({ realm: 'a, b', nonce: 'xyz', stale: true, algorithm: 'MD5', qop: [] });
  });

  it('prefers SHA-256 over MD5 when both are offered (RFC 8760)', () => {
    const c = chooseChallenge([
      'Digest realm="r", nonce="1", algorithm=MD5',
      'Digest realm="r", nonce="2", algorithm=SHA-256',
    ]);
    expect(c.algorithm).toBe('SHA-256');
    expect(c.nonce).toBe('2');
  });

  it('skips an unsupported algorithm and rejects a Basic-only challenge with a typed error', () => {
    expect(
      chooseChallenge(['Digest realm="r", nonce="1", algorithm=SHA-512-256', 'Digest realm="r", nonce="2"'])
        .nonce,
    ).toBe('2');
    let code: string | undefined;
    try {
      chooseChallenge(['Basic realm="r"']);
    } catch (error) {
      code = isSipError(error) ? error.code : undefined;
    }
    expect(code).toBe('sip_auth_failed');
  });

  it('parses auth params with and without quotes', () => {
    const { scheme, params } = parseAuthParams('Digest a="1,2", b=3 ,c = "x\\"y"');
    expect(scheme).toBe('Digest');
    expect([...params]).toEqual([
      ['a', '1,2'],
      ['b', '3'],
      ['c', 'x"y'],
    ]);
  });
});
