/**
 * Webhook delivery: the CloudEvents HTTP binding (binary and structured mode), Standard Webhooks
 * signatures and secrets, the SSRF guard, and the HTTP sender (java.net.http on virtual threads,
 * no redirects, connect and response timeouts).
 */
package dev.herald.server.webhook;
