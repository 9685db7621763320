// A local S3 API for benchmarks/bench_firehose.py: s3rver on every worker of Node's cluster.
// The workers share one port, and s3rver keeps objects on disk, so all serve the same bucket.
//   node cluster.js DIRECTORY PORT WORKERS BUCKET
// s3rver's ListObjectsV2 continuation tokens use DES: run with NODE_OPTIONS=--openssl-legacy-provider.
const cluster = require('node:cluster');
const S3rver = require('s3rver');

const [directory, port, workers, bucket] = process.argv.slice(2);
if (cluster.isPrimary) {
  for (let i = 0; i < Number(workers); i++) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (code !== 0) process.exit(code);
  });
} else {
  const server = new S3rver({
    directory,
    port: Number(port),
    address: '127.0.0.1',
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  server.run((err) => {
    if (err) throw err;
  });
}
