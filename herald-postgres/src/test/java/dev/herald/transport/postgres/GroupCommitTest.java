package dev.herald.transport.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

    @Test
    void aLoneCallFlushesAtOnceOnItsOwnThread() {
        List<Thread> flushers = new CopyOnWriteArrayList<>();
        GroupCommit<Integer, Integer> group = new GroupCommit<>(10, 1, items -> {
            flushers.add(Thread.currentThread());
            return items.stream().map(i -> i * 2).toList();
        });
        assertThat(group.submit(21)).isEqualTo(42);
        assertThat(flushers).containsExactly(Thread.currentThread());
    }

    @Test
    void callsArrivingWhileABatchIsInFlightGoTogetherInTheNextAndEachGetsItsOwnResult() throws Exception {
        CountDownLatch firstInFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        GroupCommit<Integer, String> group = new GroupCommit<>(100, 1, items -> {
            batches.add(List.copyOf(items));
            if (items.contains(0)) {
                firstInFlight.countDown();
                await(release);
            }
            return items.stream().map(i -> "r" + i).toList();
        });
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> first = pool.submit(() -> group.submit(0));
            assertThat(firstInFlight.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<String>> rest = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                int item = i;
                rest.add(pool.submit(() -> group.submit(item)));
            }
            Thread.sleep(200); // all twenty queue behind the batch in flight
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("r0");
            for (int i = 1; i <= 20; i++) {
                assertThat(rest.get(i - 1).get(10, TimeUnit.SECONDS)).isEqualTo("r" + i);
            }
        }
        assertThat(batches).hasSize(2);
        assertThat(batches.get(1)).hasSize(20);
    }

    @Test
    void aBatchIsNeverLargerThanTheMaximum() throws Exception {
        CountDownLatch firstInFlight = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        GroupCommit<Integer, Integer> group = new GroupCommit<>(3, 1, items -> {
            sizes.add(items.size());
            if (items.contains(-1)) {
                firstInFlight.countDown();
                await(release);
            }
            return items;
        });
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Integer> first = pool.submit(() -> group.submit(-1));
            assertThat(firstInFlight.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Integer>> rest = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int item = i;
                rest.add(pool.submit(() -> group.submit(item)));
            }
            Thread.sleep(200);
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 10; i++) {
                assertThat(rest.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
        }
        assertThat(sizes.subList(1, sizes.size())).allSatisfy(size -> assertThat(size).isBetween(1, 3))
                .hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    void aFailingFlushFailsTheCallsOfItsBatchOnlyAndTheNextBatchGoesOn() {
        GroupCommit<Integer, Integer> group = new GroupCommit<>(10, 1, items -> {
            if (items.contains(13)) {
                throw new IllegalStateException("unlucky batch");
            }
            return items;
        });
        assertThatThrownBy(() -> group.submit(13)).isInstanceOf(IllegalStateException.class).hasMessage("unlucky batch");
        assertThat(group.submit(7)).isEqualTo(7);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
