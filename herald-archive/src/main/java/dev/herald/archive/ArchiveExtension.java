package dev.herald.archive;

import dev.herald.server.ServerContext;
import dev.herald.server.ServerExtension;
import dev.herald.server.config.ConfigException;
import dev.herald.server.http.ApiModule;
import dev.herald.settings.Setting;
import java.util.List;
import java.util.Optional;

/**
 * The continuous archive, plugged into {@code herald serve} through {@link ServerExtension} (found on
 * the class path, so the server does not depend on this module): it declares the {@code archive.*}
 * settings ({@link ArchiveSettings}) and, when {@code archive.dir} is set, starts a
 * {@link ContinuousArchive} on the server's transport; {@code GET /v1/archive} reports its progress.
 */
public final class ArchiveExtension implements ServerExtension {

    @Override
    public String name() {
        return "archive";
    }

    @Override
    public List<Setting<?>> settings() {
        return ArchiveSettings.SETTINGS;
    }

    /**
     * @throws ConfigException when {@code archive.dir} holds an archive or export made with other options
     */
    @Override
    public List<ApiModule> modules(ServerContext context) {
        Optional<ExportSpec> spec = ArchiveSettings.spec(context.config());
        if (spec.isEmpty()) {
            return List.of(new ArchiveApi(null));
        }
        try {
            return List.of(new ArchiveApi(ContinuousArchive.start(context.store().transport(), context.schemas(),
                    spec.get(), context.config().get(ArchiveSettings.COMMIT_INTERVAL))));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ArchiveSettings.DIR + ": " + e.getMessage()
                    + ", or change the archive settings back", e);
        }
    }
}
