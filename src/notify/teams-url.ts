// Microsoft retired the Office 365 connectors of Teams: their incoming-webhook URLs
// (outlook.office.com/webhook/…, <tenant>.webhook.office.com/webhookb2/…) no longer deliver.
// A channel configured with one is a config error, not a message silently lost later.

/** Is `url` an Office 365 connector webhook URL? (Workflows URLs live on logic.azure.com / powerplatform.com.) */
export function isLegacyTeamsConnector(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const host = u.hostname.toLowerCase();
  if (host === 'outlook.office.com' || host === 'outlook.office365.com') return u.pathname.startsWith('/webhook');
  return host === 'webhook.office.com' || host.endsWith('.webhook.office.com');
}
