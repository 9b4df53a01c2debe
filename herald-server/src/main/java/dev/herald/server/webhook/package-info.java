/**
 * Webhook delivery: the CloudEvents HTTP binding (binary and structured mode), Standard Webhooks
 * signatures and secrets, the SSRF guard, and the HTTP sender (Jetty's client: HTTP/1.1, and HTTP/2
 * where an HTTPS sink offers it; pooled keep-alive connections dialled on the guard's checked addresses;
 * no redirects, connect and response timeouts).
 */
package dev.herald.server.webhook;
