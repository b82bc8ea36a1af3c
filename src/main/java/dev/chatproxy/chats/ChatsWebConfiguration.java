package dev.chatproxy.chats;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Lets the chats endpoint return a {@link ChatsAnswer}.
 */
@Configuration(proxyBeanMethods = false)
class ChatsWebConfiguration {

	/**
	 * Puts the {@link ChatsAnswer} handler first: after Spring MVC's own, the
	 * {@code @ResponseBody} handler would write the answer itself as JSON.
	 */
	@Bean
	static BeanPostProcessor chatsAnswerReturnValueHandler() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
					List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>(adapter.getReturnValueHandlers());
					handlers.add(0, new ChatsAnswerReturnValueHandler(handlers));
					adapter.setReturnValueHandlers(handlers);
				}
				return bean;
			}

		};
	}

}
