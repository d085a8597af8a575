// Test fixture: a service on the kit, started the way an app's main.ts starts one.
import { createService, loadServiceConfig, runService, staticReply } from '../index.js';

const APP_NAME = 'sample-service';

runService({
  name: APP_NAME,
  loadConfig: (env) => loadServiceConfig(env, { app: APP_NAME, port: 8080 }),
  buildApp: (config) => {
    const greeting = staticReply(200, { message: `Hello from ${APP_NAME}`, app: APP_NAME });
    return createService(config, { routes: { '/': () => greeting } });
  },
});
