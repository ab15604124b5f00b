export { type S3Server, startS3Server } from '../../bench/support/local-s3.js';
