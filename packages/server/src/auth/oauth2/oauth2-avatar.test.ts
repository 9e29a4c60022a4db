import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AvatarDownloadError, downloadAvatar, isPublicAddress } from './oauth2-avatar.ts';

describe('isPublicAddress', () => {
  const cases: Array<[string, boolean]> = [
    ['8.8.8.8', true],
    ['140.82.121.4', true],
    ['2606:4700:4700::1111', true],
    ['127.0.0.1', false],
    ['127.255.0.9', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['172.31.255.255', false],
    ['172.32.0.1', true],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['64:ff9b::a00:1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['ff02::1', false],
    ['not an address', false],
  ];
  for (const [address, expected] of cases) {
    it(`${address} → ${expected ? 'public' : 'refused'}`, () => assert.equal(isPublicAddress(address), expected));
  }
});

describe('downloadAvatar', () => {
  let server: Server;
  let port = 0;
  const hits: string[] = [];
  const routes: Record<string, (res: ServerResponse) => void> = {
    '/ok.png': (res) => res.end(Buffer.from('0123456789')),
    '/big': (res) => res.end(Buffer.alloc(5000)),
    // No content-length: the limit must hold while reading.
    '/big-chunked': (res) => {
      res.write(Buffer.alloc(3000));
      res.end(Buffer.alloc(3000));
    },
    '/hang': () => {},
    '/slow-body': (res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write(Buffer.alloc(10));
    },
    '/missing': (res) => res.writeHead(404).end(),
    '/to-ok': (res) => res.writeHead(302, { location: '/ok.png' }).end(),
    '/to-localhost': (res) => res.writeHead(302, { location: `http://localhost:${port}/ok.png` }).end(),
    '/loop': (res) => res.writeHead(302, { location: '/loop' }).end(),
  };
  const trusted = () => ({ maxBytes: 4096, providerEndpoints: [`http://127.0.0.1:1/token`] });
  const refused = async (p: Promise<unknown>, message: RegExp) => {
    await assert.rejects(p, (err: unknown) => err instanceof AvatarDownloadError && message.test(err.message));
  };

  before(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      (routes[req.url ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as { port: number }).port;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it('downloads from a host of the provider endpoints, even on a loopback address (any port)', async () => {
    const got = await downloadAvatar(`http://127.0.0.1:${port}/ok.png`, trusted());
    assert.equal(got.bytes.toString(), '0123456789');
    assert.equal(got.name, 'ok.png');
  });

  it('follows a redirect, checking the new location again', async () => {
    const got = await downloadAvatar(`http://127.0.0.1:${port}/to-ok`, trusted());
    assert.equal(got.bytes.toString(), '0123456789');
    hits.length = 0;
    await refused(downloadAvatar(`http://127.0.0.1:${port}/to-localhost`, trusted()), /localhost resolves to a non-public address/);
    assert.deepEqual(hits, ['/to-localhost'], 'the redirect target on localhost was never requested');
    await refused(downloadAvatar(`http://127.0.0.1:${port}/loop`, trusted()), /More than 3 redirects/);
  });

  it('refuses private and loopback hosts that are not the provider\'s, before connecting', async () => {
    hits.length = 0;
    const options = { maxBytes: 4096, providerEndpoints: ['https://idp.example.com/token'] };
    await refused(downloadAvatar(`http://127.0.0.1:${port}/ok.png`, options), /127\.0\.0\.1 is not a public address/);
    await refused(downloadAvatar(`http://localhost:${port}/ok.png`, options), /localhost resolves to a non-public address/);
    await refused(downloadAvatar(`http://[::ffff:127.0.0.1]:${port}/ok.png`, options), /not a public address/);
    await refused(downloadAvatar('http://169.254.169.254/latest/meta-data/', options), /not a public address/);
    await refused(downloadAvatar('http://10.255.255.1/a.png', options), /not a public address/);
    assert.deepEqual(hits, []);
  });

  it('refuses other schemes and non-URLs', async () => {
    await refused(downloadAvatar('file:///etc/passwd', trusted()), /Only http\(s\) avatar URLs/);
    await refused(downloadAvatar('data:image/png;base64,AAAA', trusted()), /Only http\(s\) avatar URLs/);
    await refused(downloadAvatar('not a url', trusted()), /not a URL/);
  });

  it('refuses an avatar larger than the limit, declared or streamed', async () => {
    await refused(downloadAvatar(`http://127.0.0.1:${port}/big`, trusted()), /larger than 4096 bytes/);
    await refused(downloadAvatar(`http://127.0.0.1:${port}/big-chunked`, trusted()), /larger than 4096 bytes/);
    const got = await downloadAvatar(`http://127.0.0.1:${port}/big-chunked`, { ...trusted(), maxBytes: 6000 });
    assert.equal(got.bytes.length, 6000);
  });

  it('gives up after the timeout, waiting for headers or for the body', async () => {
    const started = Date.now();
    await refused(downloadAvatar(`http://127.0.0.1:${port}/hang`, { ...trusted(), timeoutMs: 200 }), /could not be reached \(AbortError\)/);
    await refused(downloadAvatar(`http://127.0.0.1:${port}/slow-body`, { ...trusted(), timeoutMs: 200 }), /cut short/);
    assert.ok(Date.now() - started < 3000);
  });

  it('refuses an answer other than 200', async () => {
    await refused(downloadAvatar(`http://127.0.0.1:${port}/missing`, trusted()), /answered 404/);
  });
});
