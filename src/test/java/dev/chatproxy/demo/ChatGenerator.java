package dev.chatproxy.demo;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Makes realistic postpress chats from a seeded {@link Random}, so that every run of the
 * simulator serves byte-for-byte the same dataset.
 */
final class ChatGenerator {

	/** The dataset's "now": the seed page's example timestamp. */
	static final Instant NOW = Instant.parse("2026-05-16T18:24:11Z");

	/** The seed's strict UTC format, {@code YYYY-MM-DDTHH:MM:SS.sssZ}. */
	static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final String CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

	private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	private static final String[] FIRST_NAMES = { "Jordan", "Ana", "Mei", "Sam", "Lucas", "Chloé", "Noah", "Priya",
			"Mateo", "Aïcha", "Oliver", "Yuki", "Emma", "Kwame", "Sofia", "Liam", "Fatima", "Hugo", "Ingrid", "Ravi" };

	private static final String[] LAST_NAMES = { "Walke", "Souza", "Chen", "Martin", "Dubois", "Okafor", "Nakamura",
			"García", "Müller", "Rossi", "Kowalski", "Haddad", "Andersen", "Patel", "Nguyen", "O'Neill" };

	/** Names that exercise escaping and non-ASCII text in clients. */
	private static final String[] UNUSUAL_NAMES = { "Zoë \"Z\" O'Brien", "李明", "Łukasz Wiśniewski",
			"Dr. Priya Raman, PhD", "Back\\slash & <Co>", "Renée 🌿 Lefèvre" };

	private static final String[] GROUP_NAMES = { "Team offsite 🏔️", "Famille Martin", "Q3 hiring loop",
			"Product / Design sync", "Climbing Tuesdays", "Founders \"inner circle\"", "Release 4.2 war room" };

	private static final String[] INMAIL_SUBJECTS = { "Senior Platform Engineer role", "Quick question about your talk",
			"Partnership opportunity", "Your profile caught our attention" };

	private final Random random;

	ChatGenerator(long seed) {
		this.random = new Random(seed);
	}

	/**
	 * A new chat.
	 * @param account the account that owns it
	 * @param group whether to force a group chat (one several attendees share)
	 * @return the chat
	 */
	SimulatedChat chat(ChatDataset.Account account, boolean group) {
		Instant createdAt = NOW.minus(Duration.ofSeconds(1 + this.random.nextInt(730 * 24 * 3600)))
			.plusMillis(this.random.nextInt(1000));
		Instant lastActivity = chance(3) ? null
				: createdAt.plusMillis((long) (this.random.nextDouble() * Duration.between(createdAt, NOW).toMillis()));
		int type = group ? 1 : chatType(account.type());
		Map<String, Object> chat = new LinkedHashMap<>();
		String id = "chat_" + ulid();
		chat.put("object", "Chat");
		chat.put("id", id);
		chat.put("account_id", account.id());
		chat.put("account_type", account.type());
		String counterpart = counterpartId(account.type());
		chat.put("provider_id", providerId(account.type(), type, counterpart));
		if (type == 0) {
			chat.put("attendee_provider_id", counterpart);
		}
		chat.put("name", name(type));
		chat.put("type", type);
		chat.put("timestamp", (lastActivity != null) ? ISO_MILLIS.format(lastActivity) : null);
		chat.put("unread_count", chance(70) ? 0 : 1 + this.random.nextInt(15));
		chat.put("archived", chance(10) ? 1 : 0);
		chat.put("muted_until", mutedUntil());
		chat.put("read_only", chance(2) ? 2 : chance(5) ? 1 : 0);
		List<String> folder = new ArrayList<>(List.of("INBOX"));
		if (account.type().equals("LINKEDIN")) {
			addLinkedInDetails(chat, folder);
		}
		else {
			if (type != 0 && chat.get("name") != null) {
				chat.put("subject", chat.get("name"));
			}
			if (type == 2) {
				chat.put("disabledFeatures", List.of("reply", "reactions"));
			}
			if (chance(8)) {
				folder.add(pick(new String[] { "Clients", "Family", "Work" }));
			}
		}
		chat.put("pinned", chance(4) ? 1 : 0);
		chat.put("folder", folder);
		return new SimulatedChat(id, account.id(), createdAt, lastActivity, Json.write(chat));
	}

	private void addLinkedInDetails(Map<String, Object> chat, List<String> folder) {
		int kind = this.random.nextInt(100);
		if (kind < 8) {
			chat.put("subject", pick(INMAIL_SUBJECTS));
			chat.put("content_type", "inmail");
			folder.add("INBOX_LINKEDIN_RECRUITER");
		}
		else if (kind < 12) {
			chat.put("read_only", 1);
			chat.put("disabledFeatures", List.of("reply"));
			chat.put("content_type", "sponsored");
			folder.add("INBOX_LINKEDIN_CLASSIC");
		}
		else if (kind < 14) {
			chat.put("subject", "Job offer: Staff Engineer");
			chat.put("content_type", "linkedin_offer");
			folder.add("INBOX_LINKEDIN_CLASSIC");
		}
		else if (kind < 20) {
			String organization = String.valueOf(10_000_000 + this.random.nextInt(90_000_000));
			chat.put("organization_id", organization);
			chat.put("mailbox_id", "urn:li:fsd_company:" + organization);
			folder.add("INBOX_LINKEDIN_ORGANIZATION");
		}
		else if (kind < 28) {
			folder.add("INBOX_LINKEDIN_SALES_NAVIGATOR");
		}
		else {
			folder.add("INBOX_LINKEDIN_CLASSIC");
			if (kind < 33) {
				chat.put("disabledFeatures", List.of("reactions"));
			}
			if (kind < 36) {
				folder.add("Candidates 2026");
			}
		}
	}

	private int chatType(String accountType) {
		return switch (accountType) {
			case "WHATSAPP" -> chance(4) ? 2 : chance(15) ? 1 : 0;
			case "TELEGRAM" -> chance(20) ? 1 : 0;
			default -> chance(5) ? 1 : 0;
		};
	}

	private String counterpartId(String accountType) {
		return switch (accountType) {
			case "WHATSAPP" -> (chance(50) ? "336" : "4477") + digits(8) + "@s.whatsapp.net";
			case "TELEGRAM" -> (1 + this.random.nextInt(7)) + digits(9);
			default -> "ACoAA" + randomChars(BASE64URL, 34);
		};
	}

	private String providerId(String accountType, int type, String counterpart) {
		return switch (accountType) {
			case "WHATSAPP" ->
				(type == 0) ? counterpart : (type == 1) ? "1203630" + digits(11) + "@g.us" : digits(10) + "@broadcast";
			case "TELEGRAM" -> (type == 0) ? counterpart : "-100" + digits(10);
			default -> "urn:li:msg_conversation:(urn:li:fsd_profile:ACoAACr-1eYBlq7Xw3nZ0pT9sK4uVb8hJm2,2-"
					+ randomChars(BASE64URL, 38) + "==)";
		};
	}

	private String name(int type) {
		if (chance(4)) {
			return null;
		}
		if (type == 1) {
			return pick(GROUP_NAMES);
		}
		if (type == 2) {
			return "Broadcast list " + (1 + this.random.nextInt(9));
		}
		return chance(5) ? pick(UNUSUAL_NAMES) : pick(FIRST_NAMES) + " " + pick(LAST_NAMES);
	}

	private Object mutedUntil() {
		int draw = this.random.nextInt(100);
		if (draw < 8) {
			return -1;
		}
		if (draw < 20) {
			return ISO_MILLIS.format(NOW.plus(Duration.ofHours(1 + this.random.nextInt(60 * 24))));
		}
		return null;
	}

	private String ulid() {
		return "01H" + randomChars(CROCKFORD, 23);
	}

	private String digits(int count) {
		return randomChars("0123456789", count);
	}

	private String randomChars(String alphabet, int count) {
		StringBuilder out = new StringBuilder(count);
		for (int i = 0; i < count; i++) {
			out.append(alphabet.charAt(this.random.nextInt(alphabet.length())));
		}
		return out.toString();
	}

	private String pick(String[] values) {
		return values[this.random.nextInt(values.length)];
	}

	private boolean chance(int percent) {
		return this.random.nextInt(100) < percent;
	}

}
