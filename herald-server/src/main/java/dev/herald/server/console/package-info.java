/**
 * The web console at {@code /console}: static HTML, CSS and ES modules from this module's resources
 * ({@code herald/console/}), served with a strict Content-Security-Policy. The console is a client of
 * the public {@code /v1} API only, so a signed-in token's scopes and project restriction apply to it
 * exactly as they do to any other client ({@link dev.herald.server.console.ConsoleModule}).
 */
package dev.herald.server.console;
