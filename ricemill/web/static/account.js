/* My account: change one's own password. The server ends every other session and sets this page's
   new cookies, so the page carries on (its socket reconnects with the new cookie). */
import { api } from './api.js';
import { bindForm } from './forms.js';

bindForm(document.getElementById('password-form'), {
  submit: (data, opts) => api('/account/password', { method: 'POST', body: data, ...opts }),
});
