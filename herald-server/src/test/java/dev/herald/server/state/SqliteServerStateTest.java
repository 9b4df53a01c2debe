package dev.herald.server.state;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteServerStateTest extends ServerStateContract {

    @TempDir
    Path dir;

    @Override
    ServerDatabase open() {
        return ServerDatabase.open(dir.resolve("server.db"));
    }
}
