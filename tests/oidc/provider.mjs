// A real OpenID Connect provider for the tests: the certified `oidc-provider` package on loopback.
//
// OIDC_PORT: the port; OIDC_CLIENTS: JSON list of client registrations; OIDC_ACCOUNTS: a JSON
// file {accountId: {email, name, groups}} read on every sign-in, so a test can change a user's
// groups between sign-ins. Sign-in uses the package's development pages (any password).
import fs from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS);
const accountsFile = process.env.OIDC_ACCOUNTS;

function accounts() {
  return JSON.parse(fs.readFileSync(accountsFile, 'utf8'));
}

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  conformIdTokenClaims: false, // the ID token carries email, name and groups
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  scopes: ['openid', 'email', 'profile'],
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-only-cookie-key'] },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 600, Grant: 600 },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, email_verified: true, ...account }; } };
  },
  async loadExistingGrant(ctx) {
    // The portal is the force's own application: no consent page.
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
