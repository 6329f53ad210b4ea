import { mount } from 'svelte';
import App from './App.svelte';
import { connect } from './lib/bridge';
import { applyFluentTheme } from './lib/theme';
import './styles/app.css';

applyFluentTheme();
const client = connect();
const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');

export default mount(App, { target, props: { client } });
