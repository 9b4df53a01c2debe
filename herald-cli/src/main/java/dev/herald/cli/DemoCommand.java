package dev.herald.cli;

import dev.herald.example.GitLabLite;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code herald demo}: the GitLab-lite example on the embedded store. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run GitLab-lite, a small multi-domain application wired only through Herald events, on "
                + "the embedded store: a push triggers CI, the security scanner and the merge-request bot, and "
                + "the audit trail prints what caused what."},
        footer = {"", "Example:", "  herald demo --data ./herald-data"})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("herald-data");

    @Override
    public Integer call() throws Exception {
        GitLabLite.run(data, System.out);
        return 0;
    }
}
