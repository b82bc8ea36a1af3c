package dev.chatproxy.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;

/**
 * Starts chat-proxy as its own main method does, but with Spring's
 * {@link BufferingApplicationStartup}, then prints where the start-up went: the steps
 * (bean instantiations, configuration parsing, the web server...) by self time, their
 * time less their children's, and the totals per kind of step. For bench/startup-steps.sh.
 */
public final class StartupSteps {

	private StartupSteps() {
	}

	public static void main(String[] args) throws Exception {
		int top = Integer.getInteger("top", 40);
		BufferingApplicationStartup startup = new BufferingApplicationStartup(100_000);
		SpringApplication application = new SpringApplication(Class.forName("dev.chatproxy.ChatProxyApplication"));
		application.setApplicationStartup(startup);
		long t0 = System.nanoTime();
		ConfigurableApplicationContext context = application.run(args);
		long runMillis = (System.nanoTime() - t0) / 1_000_000;
		List<Step> steps = steps(startup.getBufferedTimeline());
		context.close();
		System.out.printf("%nSpringApplication.run: %d ms; %d steps recorded%n", runMillis, steps.size());
		System.out.printf("%nsteps by self time (ms; the step's time less its children's)%n");
		steps.stream()
			.sorted(Comparator.comparingLong((Step step) -> step.selfNanos).reversed())
			.limit(top)
			.forEach((step) -> System.out.printf("%8.1f self %8.1f total  %-48s %s%n", step.selfNanos / 1e6,
					step.nanos / 1e6, step.name, step.subject));
		Map<String, Long> byName = new HashMap<>();
		steps.forEach((step) -> byName.merge(step.name, step.selfNanos, Long::sum));
		System.out.printf("%nself time per kind of step (ms)%n");
		byName.entrySet()
			.stream()
			.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
			.forEach((entry) -> System.out.printf("%8.1f  %s%n", entry.getValue() / 1e6, entry.getKey()));
	}

	private static List<Step> steps(StartupTimeline timeline) {
		Map<Long, Step> byId = new HashMap<>();
		List<Step> steps = new ArrayList<>();
		for (StartupTimeline.TimelineEvent event : timeline.getEvents()) {
			StartupStep step = event.getStartupStep();
			String subject = "";
			for (StartupStep.Tag tag : step.getTags()) {
				if (tag.getKey().equals("beanName") || tag.getKey().equals("postProcessor")) {
					subject = tag.getValue();
				}
			}
			Step recorded = new Step(step.getName(), subject, step.getParentId(), event.getDuration().toNanos());
			byId.put(step.getId(), recorded);
			steps.add(recorded);
		}
		for (Step step : steps) {
			Step parent = (step.parentId != null) ? byId.get(step.parentId) : null;
			if (parent != null) {
				parent.selfNanos -= step.nanos;
			}
		}
		return steps;
	}

	private static final class Step {

		final String name;

		final String subject;

		final Long parentId;

		final long nanos;

		long selfNanos;

		Step(String name, String subject, Long parentId, long nanos) {
			this.name = name;
			this.subject = (subject.length() > 100) ? subject.substring(0, 100) : subject;
			this.parentId = parentId;
			this.nanos = nanos;
			this.selfNanos = nanos;
		}

	}

}
