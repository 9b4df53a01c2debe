/**
 * The JSON bodies of the subscriptions API as records, shared by the server (which renders them) and
 * the {@code herald} CLI (which sends and reads them), so that a field name is spelled once. Jackson
 * maps each record to its JSON object; {@code null} components are left out unless marked otherwise.
 * The server still validates requests field by field ({@code SubscriptionRequests}), so that a bad
 * body gets one violation per broken rule rather than the first mapping error.
 */
package dev.herald.server.wire;
