package dev.herald.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class CommitMetadataTest {

    @Test
    void settledOffsetsAndAttemptsRoundTrip() {
        TreeSet<Long> settled = new TreeSet<>(java.util.List.of(101L, 102L, 103L, 105L, 110L, 111L));
        TreeMap<Long, Integer> attempts = new TreeMap<>(Map.of(100L, 3, 104L, 1));
        String text = CommitMetadata.encode(100, settled, attempts);
        assertThat(text).isEqualTo("h1;s=1-3,5,10-11;a=0:3,4:1");
        CommitMetadata.State state = CommitMetadata.decode(100, text);
        assertThat(state.settled()).containsExactlyElementsOf(settled);
        assertThat(state.attempts()).isEqualTo(attempts);
    }

    @Test
    void nothingToSayIsEmpty() {
        assertThat(CommitMetadata.encode(7, new TreeSet<>(), new TreeMap<>())).isEmpty();
        assertThat(CommitMetadata.decode(7, "").settled()).isEmpty();
        assertThat(CommitMetadata.decode(7, null).attempts()).isEmpty();
    }

    @Test
    void tooMuchIsCutToTheBrokersLimitKeepingTheLowestOffsets() {
        TreeSet<Long> settled = new TreeSet<>();
        LongStream.range(0, 5000).forEach(i -> settled.add(1 + 2 * i)); // no two adjacent: worst case
        TreeMap<Long, Integer> attempts = new TreeMap<>();
        LongStream.range(0, 2000).forEach(i -> attempts.put(2 * i + 2, 2));
        String text = CommitMetadata.encode(0, settled, attempts);
        assertThat(text.length()).isLessThanOrEqualTo(CommitMetadata.MAX_CHARS);
        CommitMetadata.State state = CommitMetadata.decode(0, text);
        assertThat(state.settled()).isNotEmpty().isSubsetOf(settled).contains(1L, 3L);
        assertThat(state.attempts()).isNotEmpty().containsEntry(2L, 2);
    }

    @Test
    void unreadableMetadataMeansNothingKnown() {
        assertThat(CommitMetadata.decode(0, "h1;s=1-x").settled()).isEmpty();
        assertThat(CommitMetadata.decode(0, "something else").settled()).isEmpty();
    }
}
