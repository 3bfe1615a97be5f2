/** How to use the credentials, right where they are shown (README's walkthrough in one line). */
export function TokenSnippet({ clientId }: { clientId: string }) {
  const origin = window.location.origin;
  return (
    <details className="snippet">
      <summary>Get a token with these credentials</summary>
      <pre>
        <code>{`curl -s -u "${clientId}:$CLIENT_SECRET" \\\n  -d grant_type=client_credentials \\\n  ${origin}/api/v1/auth/token`}</code>
      </pre>
      <p className="muted">Tokens live 900 seconds: cache one until just before it expires.</p>
    </details>
  );
}
