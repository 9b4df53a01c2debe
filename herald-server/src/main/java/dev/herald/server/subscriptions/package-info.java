/**
 * The subscriptions API ({@code /v1/subscriptions}): subscription resources shaped after the
 * CloudEvents Subscriptions API with Herald's delivery policy, persisted in the server database and
 * restarted on start ({@link dev.herald.server.subscriptions.SubscriptionsModule}); webhook delivery
 * through {@link dev.herald.server.webhook}; streaming pull over Server-Sent Events with explicit acks;
 * dead letters. Settings: {@link dev.herald.server.subscriptions.SubscriptionSettings}.
 */
package dev.herald.server.subscriptions;
