package dev.herald.gitlab;

import dev.herald.event.EnvelopeMapping;
import dev.herald.server.ServerContext;
import dev.herald.server.ServerExtension;
import dev.herald.server.http.ApiModule;
import java.time.Clock;
import java.util.List;

/**
 * Herald's GitLab integration, plugged into {@code herald serve} through {@link ServerExtension}: the
 * webhook bridge ({@code POST /v1/gitlab/webhooks}) and the intake mapping of GitLab's own CloudEvents.
 * Its schemas (every mapped webhook type, GitLab's EventStore events, audit events) ship in this
 * module's part of the built-in catalog.
 */
public final class GitLabExtension implements ServerExtension {

    @Override
    public String name() {
        return "gitlab";
    }

    @Override
    public List<EnvelopeMapping> envelopeMappings() {
        return List.of(new GitLabCloudEvents());
    }

    @Override
    public List<ApiModule> modules(ServerContext context) {
        return List.of(new WebhookBridge(context.tokens(), context.intake(), context.schemas(),
                context.config(), Clock.systemUTC()));
    }
}
