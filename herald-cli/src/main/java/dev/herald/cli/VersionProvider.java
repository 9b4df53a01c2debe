package dev.herald.cli;

import picocli.CommandLine;

/** The version from the jar manifest, so {@code herald --version} matches the build. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Herald.class.getPackage().getImplementationVersion();
        return new String[] {"herald " + (version == null ? "(development build)" : version)};
    }
}
