package dev.herald.example;

import static dev.herald.test.HeraldAssertions.assertThatEvents;
import static dev.herald.test.HeraldAssertions.assertThatEventsFrom;
import static dev.herald.test.HeraldAssertions.assertThatSubscription;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.herald.example.audit.AuditTrail;
import dev.herald.example.ci.Pipelines;
import dev.herald.example.mergerequests.MergeRequestBot;
import dev.herald.example.notifications.Notifier;
import dev.herald.example.repository.Repositories;
import dev.herald.example.repository.Repositories.Commit;
import dev.herald.example.security.Scanner;
import dev.herald.filter.Filter;
import dev.herald.store.EventStore;
import dev.herald.test.Consumption;
import dev.herald.test.EventFixtures;
import dev.herald.test.HeraldExtension;
import dev.herald.test.Subscribers;
import io.cloudevents.CloudEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each domain on its own: its subscription's wiring, and its handler run against one event
 * ({@link Subscribers#consume}) with the events it publishes in reply. Events come from the schemas'
 * examples ({@link EventFixtures}), changed only where the test cares.
 */
@ExtendWith(HeraldExtension.class)
class DomainSubscribersTest {

    private static final String BASE_URL = "https://gitlab.example.com";
    private static final String PROJECT = "gid://gitlab/Project/15";

    private final EventStore store;
    private final EventFixtures fixtures;

    DomainSubscribersTest(EventStore store, EventFixtures fixtures) {
        this.store = store;
        this.fixtures = fixtures;
    }

    @Test
    void repositoriesAnnounceAPushAsAFatEvent() {
        Repositories repositories = new Repositories(store, BASE_URL);

        assertThatEventsFrom(store, () -> repositories.push(15, "acme/shop", "main", "0".repeat(40), 4, "jsmith",
                List.of(new Commit("b".repeat(40), "Add checkout", "Add checkout", List.of("app/checkout.rb"),
                        List.of()))))
                .published("repository.push")
                .withProject(PROJECT)
                .withSubject("refs/heads/main")
                .withAuthId("gid://gitlab/User/4")
                .withDataContaining("{\"after\": \"" + "b".repeat(40) + "\", \"total_commits_count\": 1,"
                        + " \"commits\": [{\"title\": \"Add checkout\", \"added\": [\"app/checkout.rb\"]}]}")
                .once();
    }

    @Test
    void ciRunsAPipelineForEveryBranchPushInPushOrder() {
        new Pipelines(store, BASE_URL).start();
        CloudEvent push = fixtures.event("repository.push").project(PROJECT).build();

        Consumption run = Subscribers.consume(store, "ci.run_pipeline_on_push", push);

        assertThat(run.published()).extracting(CloudEvent::getType)
                .containsExactly("ci.pipeline.created", "ci.pipeline.finished");
        assertThatEvents(store).published("ci.pipeline.finished")
                .causedBy(push)
                .withProject(PROJECT)
                .withDataContaining("{\"status\": \"success\", \"ref\": \"refs/heads/master\","
                        + " \"sha\": \"da1560886d4f094c3e6c9ef40349f7d38b5d27d7\"}");
        assertThatSubscription(store, "ci.run_pipeline_on_push")
                .isSubscribedTo("repository.push")
                .isNotSubscribedTo("ci.pipeline.finished")
                .isOrderedByKey()
                .ignores(fixtures.event("repository.push", data -> data.put("after", "0".repeat(40))).build());
    }

    @Test
    void securityScansTheCommitsOfAGreenPipelineFromTheFatEvent() {
        new Scanner(store, BASE_URL).start();
        CloudEvent green = fixtures.event("ci.pipeline.finished", data -> data.put("status", "success")
                .set("commits", commits("config/.env"))).build();

        Subscribers.consume(store, "security.scan_finished_pipeline", green);

        assertThatEvents(store).published("vulnerabilities.new_finding")
                .causedBy(green)
                .withProject(EventFixtures.PROJECT)
                .withDataContaining("{\"title\": \"Secret committed in config/.env\", \"severity\": \"high\","
                        + " \"report_type\": \"secret_detection\"}")
                .once();
        assertThatSubscription(store, "security.scan_finished_pipeline")
                .isSubscribedTo("ci.pipeline.finished")
                .hasMaxAttempts(10)
                .ignores(fixtures.event("ci.pipeline.finished", data -> data.put("status", "failed")).build());
    }

    @Test
    void mergeRequestsAreApprovedWhenTheirBranchGoesGreen() {
        MergeRequestBot bot = new MergeRequestBot(store, BASE_URL);
        bot.open(7, "main");
        bot.start();
        CloudEvent green = fixtures.event("ci.pipeline.finished", data -> data.put("ref", "refs/heads/main")).build();
        CloudEvent otherBranch = fixtures.event("ci.pipeline.finished", data -> data.put("ref", "refs/heads/x")).build();

        Subscribers.consume(store, "merge_requests.approve_on_green", green);

        assertThatEvents(store).published("merge_requests.approved")
                .causedBy(green)
                .withAuthId("gid://gitlab/User/" + MergeRequestBot.BOT_USER_ID)
                .withDataContaining("{\"merge_request_id\": 7, \"current_user_id\": 1}");
        assertThat(Subscribers.consume(store, "merge_requests.approve_on_green", otherBranch).published()).isEmpty();
        assertThatSubscription(store, "merge_requests.approve_on_green")
                .isSubscribedTo("ci.pipeline.finished")
                .isNotSubscribedTo("repository.push");
    }

    @Test
    void notificationsTellPeopleAboutFindingsAndApprovals() {
        List<String> outbox = new CopyOnWriteArrayList<>();
        new Notifier(store, outbox::add).start();

        Subscribers.consume(store, "notifications.tell_people", fixtures.event("vulnerabilities.new_finding").build());
        Subscribers.consume(store, "notifications.tell_people", fixtures.event("merge_requests.approved").build());

        assertThat(outbox).containsExactly(
                "[security] low: Test finding — http://127.0.0.1:3000/toolbox/gitlab-smoke-tests/-/security/vulnerabilities/541",
                "[merge requests] !4567 approved by the pipeline bot");
        assertThatSubscription(store, "notifications.tell_people").hasFilter(Filter.any(
                Filter.exact("type", "vulnerabilities.new_finding"), Filter.exact("type", "merge_requests.approved")));
    }

    @Test
    void theAuditTrailRebuildsWhatCausedWhat() {
        AuditTrail audit = new AuditTrail(store);
        audit.start();
        CloudEvent push = fixtures.event("repository.push").correlationId("req-9").subject("refs/heads/master").build();
        CloudEvent created = fixtures.event("ci.pipeline.created").correlationId("req-9").causationId(push.getId())
                .subject("gid://gitlab/Ci::Pipeline/1234").build();

        Subscribers.consume(store, "audit.record_everything", push);
        Subscribers.consume(store, "audit.record_everything", created);

        assertThat(audit.causalTree("req-9")).containsExactly(
                "repository.push  refs/heads/master",
                "  └─ ci.pipeline.created  gid://gitlab/Ci::Pipeline/1234");
        assertThatSubscription(store, "audit.record_everything").hasFilter(Filter.ALL_EVENTS);
    }

    private static ArrayNode commits(String addedFile) {
        ObjectMapper json = new ObjectMapper();
        ArrayNode commits = json.createArrayNode();
        commits.addObject().put("id", "e".repeat(40)).put("title", "Add config").putArray("added").add(addedFile);
        return commits;
    }
}
