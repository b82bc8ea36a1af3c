/**
 * A simulated postpress upstream and the demo that runs chat-proxy against it, with no
 * network and no API key.
 */
package dev.chatproxy.demo;
