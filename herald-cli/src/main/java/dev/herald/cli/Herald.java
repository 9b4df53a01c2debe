package dev.herald.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code herald} command. Exit codes: 0 success, 1 failure, 2 bad input (invalid events,
 * incompatible schemas, wrong arguments).
 */
@Command(name = "herald",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Herald: one standard event stream (CloudEvents fat events, schemas, any broker).",
        subcommands = {DemoCommand.class, ValidateCommand.class, SchemasCommand.class, BenchCommand.class,
                ServeCommand.class, PublishCommand.class, EventsCommand.class, TokensCommand.class,
                TailCommand.class, ReplayCommand.class, SubscriptionsCommand.class, DeadLettersCommand.class,
                ExportCommand.class, ArchiveCommand.class, GitLabCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad input."})
public final class Herald {

    /** Exit code for invalid input: events, schemas or arguments. */
    public static final int BAD_INPUT = 2;
    /** Exit code for a failure that is not the input's fault. */
    public static final int FAILURE = 1;

    private Herald() {
    }

    /** Runs the command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    /** The configured command line: usage errors exit 2, unexpected exceptions exit 1. */
    static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new Herald());
        commandLine.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? BAD_INPUT : FAILURE);
        return commandLine;
    }

    /** Entry point of {@code bin/herald}. */
    public static void main(String[] args) {
        System.exit(run(args));
    }
}
