// LTI Dynamic Registration: tell the platform's window that the tool registered.
(window.opener || window.parent).postMessage({subject: "org.imsglobal.lti.close"}, "*");
