import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Client, signRequest } from '../../src/files/s3/s3-client.ts';
import { S3FileStore } from '../../src/files/s3/s3-file-store.ts';
import { fileStoreConformance } from './file-store-conformance.ts';
import { EXTERNAL_S3, startS3 } from './s3-test-server.ts';

fileStoreConformance(
  EXTERNAL_S3 ? 's3 (BASALT_TEST_S3_URL)' : 's3 (s3rver)',
  async () => {
    const s3 = await startS3();
    const store = new S3FileStore(s3.config);
    return {
      store,
      async dispose() {
        try {
          await store.deletePrefix('');
        } finally {
          await s3.stop();
        }
      },
    };
  },
  { unorderedListing: EXTERNAL_S3 ? undefined : 's3rver lists keys in filesystem order, not in S3 key order' },
);

describe('S3 client', () => {
  it('signs requests as AWS documents (SigV4 GET Object example)', () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Object".
    const authorization = signRequest({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
      headers: {
        host: 'examplebucket.s3.amazonaws.com',
        range: 'bytes=0-9',
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        'x-amz-date': '20130524T000000Z',
      },
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      region: 'us-east-1',
    });
    assert.equal(
      authorization,
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('signs query strings as AWS documents (SigV4 GET Bucket lifecycle example)', () => {
    const authorization = signRequest({
      method: 'GET',
      url: new URL('https://examplebucket.s3.amazonaws.com/?lifecycle='),
      headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'x-amz-date': '20130524T000000Z' },
      accessKey: 'AKIAIOSFODNN7EXAMPLE',
      secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      region: 'us-east-1',
    });
    assert.match(authorization, /Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543$/);
  });

  it('builds virtual-hosted and path-style URLs, encoding keys', () => {
    const base = { bucket: 'media', region: 'eu-west-1', accessKey: 'a', secret: 's' };
    assert.equal(new S3Client({ ...base, endpoint: '', forcePathStyle: false }).url('c/r/a b+ü.png').href, 'https://media.s3.eu-west-1.amazonaws.com/c/r/a%20b%2B%C3%BC.png');
    assert.equal(new S3Client({ ...base, endpoint: 'https://s3.example.com', forcePathStyle: true }).url('c/x.txt').href, 'https://s3.example.com/media/c/x.txt');
    assert.equal(new S3Client({ ...base, endpoint: 'minio.local:9000', forcePathStyle: false }).url('x').href, 'https://media.minio.local:9000/x');
    assert.equal(new S3Client({ ...base, endpoint: 'http://127.0.0.1:9000', forcePathStyle: false }).url('x').href, 'http://127.0.0.1:9000/media/x');
    assert.equal(new S3Client({ ...base, endpoint: 'https://s3.example.com', forcePathStyle: false }).url('', { 'list-type': '2', prefix: 'a b/' }).search, '?list-type=2&prefix=a%20b%2F');
  });

  it('reports wrong credentials as an S3 error naming the code, never the secret', async () => {
    const s3 = await startS3();
    try {
      const store = new S3FileStore({ ...s3.config, accessKey: 'NO-SUCH-KEY', secret: 'wrong-secret-value' });
      const err = await store.put('a/b.txt', Buffer.from('x')).then(() => undefined, (e: Error) => e);
      assert.ok(err);
      assert.match(err.message, /InvalidAccessKeyId/);
      assert.doesNotMatch(err.message, /wrong-secret-value/);
    } finally {
      await s3.stop();
    }
  });
});
