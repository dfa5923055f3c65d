import { app, authentication } from '@microsoft/teams-js';

/** How long to wait for Teams to answer the SDK's handshake before saying the page is not inside Teams. */
const HANDSHAKE_MS = 8000;

/**
 * Connects to the Teams client hosting the tab (Microsoft's Teams JavaScript SDK handshake over postMessage).
 * Outside Teams the SDK never answers: the promise then fails with a message for the person looking at it.
 */
export async function connectToTeams(): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error('This page works inside Microsoft Teams: open the Phone App from the Teams app bar.'),
        ),
      HANDSHAKE_MS,
    );
  });
  try {
    await Promise.race([app.initialize(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  await app.notifySuccess();
}

/**
 * The single sign-on token for Callbridge's API: Teams gets it from Entra ID for the app's
 * webApplicationInfo resource (and caches it), so asking before every call is cheap and never stale.
 */
export async function ssoToken(): Promise<string> {
  return authentication.getAuthToken();
}
