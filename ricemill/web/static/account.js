/* My account: change one's own password. The server ends every other session and sets this page's
   new cookies, so the page carries on (its socket reconnects with the new cookie). */
(function () {
  'use strict';
  RM.bindForm(document.getElementById('password-form'), {
    submit: (data) => RM.api('/account/password', { method: 'POST', body: data }),
  });
})();
