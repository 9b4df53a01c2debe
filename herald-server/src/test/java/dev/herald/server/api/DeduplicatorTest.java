package dev.herald.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.herald.event.EventBuilder;
import dev.herald.server.state.ServerDatabase;
import dev.herald.transport.EncodedEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeduplicatorTest {

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static EncodedEvent event(String source, String id) {
        return EncodedEvent.of(EventBuilder.create().type("t").source(source).id(id).data(Map.of()).build());
    }

    @Test
    void keysAreRememberedForTheWindowThenForgottenAndDeleted() throws Exception {
        TestClock clock = new TestClock();
        try (ServerDatabase db = ServerDatabase.open(dir.resolve("server.db"));
             Deduplicator dedup = new Deduplicator(db, Duration.ofHours(1), clock)) {
            EncodedEvent a = event("/s", "1");
            try (Deduplicator.Claim claim = dedup.claim(List.of(a, event("/s", "2"), event("/other", "1")))) {
                assertThat(claim.fresh()).hasSize(3);
                claim.accepted();
            }
            try (Deduplicator.Claim claim = dedup.claim(List.of(event("/s", "1"), event("/s", "3"), event("/s", "3")))) {
                assertThat(claim.duplicates()).extracting(e -> e.event().getId()).containsExactly("3", "1");
                assertThat(claim.fresh()).extracting(e -> e.event().getId()).containsExactly("3");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dedup.storedKeys() == 3);

            clock.now = clock.now.plus(Duration.ofMinutes(61));
            try (Deduplicator.Claim claim = dedup.claim(List.of(a))) {
                assertThat(claim.fresh()).as("expired: accepted as new").hasSize(1);
            }
            assertThat(dedup.deleteExpired(clock.millis())).isEqualTo(3);
            assertThat(dedup.storedKeys()).isZero();
        }
    }

    @Test
    void theSameSourceAndIdInAnotherProjectIsNotADuplicate() throws Exception {
        try (ServerDatabase db = ServerDatabase.open(dir.resolve("server.db"));
             Deduplicator dedup = new Deduplicator(db, Duration.ofHours(1), new TestClock())) {
            EncodedEvent project1 = EncodedEvent.of(EventBuilder.create().type("t").source("/s").id("42")
                    .data(Map.of()).project("gid://gitlab/Project/1").build());
            EncodedEvent project2 = EncodedEvent.of(EventBuilder.create().type("t").source("/s").id("42")
                    .data(Map.of()).project("gid://gitlab/Project/2").build());
            try (Deduplicator.Claim claim = dedup.claim(List.of(project1))) {
                claim.accepted();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dedup.storedKeys() == 1);

            try (Deduplicator.Claim claim = dedup.claim(List.of(project2, project1))) {
                assertThat(claim.fresh()).containsExactly(project2);
                assertThat(claim.duplicates()).containsExactly(project1);
            }
        }
    }

    @Test
    void aFailedPublishLeavesTheKeysFree() throws Exception {
        try (ServerDatabase db = ServerDatabase.open(dir.resolve("server.db"));
             Deduplicator dedup = new Deduplicator(db, Duration.ofHours(1))) {
            try (Deduplicator.Claim claim = dedup.claim(List.of(event("/s", "1")))) {
                assertThat(claim.fresh()).hasSize(1);
                // no accepted(): the publish failed
            }
            try (Deduplicator.Claim claim = dedup.claim(List.of(event("/s", "1")))) {
                assertThat(claim.fresh()).hasSize(1);
            }
        }
    }

    @Test
    void aZeroWindowTurnsDeduplicationOff() throws Exception {
        try (ServerDatabase db = ServerDatabase.open(dir.resolve("server.db"));
             Deduplicator dedup = new Deduplicator(db, Duration.ZERO)) {
            for (int i = 0; i < 2; i++) {
                try (Deduplicator.Claim claim = dedup.claim(List.of(event("/s", "1")))) {
                    assertThat(claim.fresh()).hasSize(1);
                    claim.accepted();
                }
            }
        }
    }
}
