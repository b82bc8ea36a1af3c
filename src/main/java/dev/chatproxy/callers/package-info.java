/**
 * Who may call the API: optional bearer JWTs (CONTRACT.md section 12), and the accounts a
 * caller's token lets it read.
 */
@NullMarked
package dev.chatproxy.callers;

import org.jspecify.annotations.NullMarked;
