// Process entry point: the kit parses the environment (exit 78 when it is invalid), listens, and turns
// SIGTERM/SIGINT into a graceful drain and shutdown.
import { runService } from '@signet/service-kit';
import { buildApp } from './app.js';
import { APP_NAME, loadConfig } from './config.js';

runService({ name: APP_NAME, loadConfig, buildApp });
